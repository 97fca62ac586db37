using System.ComponentModel.DataAnnotations;

namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>Meldingen: categories, forwarding, privacy and limits (section <c>Meldingen</c>).</summary>
public sealed class MeldingOptions
{
    public const string Section = "Meldingen";

    /// <summary>The categories a melding may have.</summary>
    [Required, MinLength(1)]
    public List<string> Categories { get; set; } = [];

    /// <summary>Categories about the openbare ruimte, forwarded to <see cref="ForwardTo"/> as well as routed to the gebiedsteam.</summary>
    public List<string> OpenbareRuimteCategories { get; set; } = [];

    /// <summary>Who openbare-ruimte meldingen are forwarded to (the organisation behind the stadswerk072 role).</summary>
    [Required] public string ForwardTo { get; set; } = "stadswerk072";

    /// <summary>Public maps and exports snap melding locations to the centre of a grid cell of this size (metres).</summary>
    [Range(10, 1000)] public int GeneralisationGridMetres { get; set; } = 50;

    /// <summary>Personal data of a closed melding is removed this many days after closing.</summary>
    [Range(1, 3650)] public int RetentionDaysAfterClosing { get; set; } = 365;

    [Range(1, 10_000)] public int MaxDescriptionLength { get; set; } = 2000;

    [Range(1, 1_000_000)] public int MaxImportRows { get; set; } = 100_000;

    [Range(1024, 1L << 30)] public long MaxImportBytes { get; set; } = 32 * 1024 * 1024;

    [Range(1, 10_000)] public int MaxPageSize { get; set; } = 1000;

    /// <summary>Disclosure control: public aggregates never show a count below this (cells, categories in a cell).</summary>
    [Range(1, 1000)] public int PublicMinimumCount { get; set; } = 5;

    /// <summary>A photo with a melding may be at most this large (bytes) before it is re-encoded.</summary>
    [Range(1024, 64L * 1024 * 1024)] public long MaxPhotoBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The handling time promised to the melder per category, in working days (Dutch public holidays excluded);
    /// an open melding past it is "te laat", past three times it "3× te laat".</summary>
    public Dictionary<string, int> HandlingDays { get; set; } = [];

    /// <summary>The handling time of a category not in <see cref="HandlingDays"/>.</summary>
    [Range(1, 250)] public int DefaultHandlingDays { get; set; } = 10;

    /// <summary>While the team waits for the melder's answer ("reactie gevraagd") the handling clock stands still; its
    /// deadline moves on by the working days it waited. False: the clock runs on.</summary>
    public bool PauseWhileWaitingForMelder { get; set; } = true;

    /// <summary>While a part of the melding is with a party (handed out, not yet done or returned) the clock stands still
    /// too. Off by default: the team stays answerable for the melder's deadline while partners work.</summary>
    public bool PauseWhileWithPartner { get; set; }

    /// <summary>For this many days after closing, the melder can have the melding reopened on the status link.</summary>
    [Range(0, 365)] public int ReopenDays { get; set; } = 14;

    /// <summary>A party's link to a task keeps working this many days after the task's due date (then it expires; the team
    /// can withdraw it sooner).</summary>
    [Range(1, 365)] public int TaskLinkDays { get; set; } = 30;

    /// <summary>
    /// Words that suggest a category on the resident's form (category → words; a word matches the start of a word in the
    /// description, case-insensitive).
    /// </summary>
    public Dictionary<string, List<string>> CategoryKeywords { get; set; } = [];

    /// <summary>Disclosure control: a public aggregate covers at least this many whole days.</summary>
    [Range(1, 366)] public int PublicMinimumPeriodDays { get; set; } = 7;
}
