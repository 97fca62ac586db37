using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alkmaar.Kaart.Geo.Deadlines;
using Alkmaar.Kaart.Server.Features;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Alkmaar.Kaart.Server.Tests;

/// <summary>
/// Talking with the melder (issue 29): "reactie gevraagd" stops the clock and the deadline moves on by the working days it
/// stood still; the melder answers on the status link (text, a photo stripped of its metadata) and the answer stays with
/// the team; after closing the melder says whether they are satisfied and may have it reopened within the configured days;
/// retention removes what the melder wrote.
/// </summary>
public class MeldingFollowUpTests(KaartAppFixture fx) : IClassFixture<KaartAppFixture>
{
    private readonly HttpClient _anonymous = fx.Factory.CreateClient();
    private NpgsqlDataSource Db => fx.Factory.Services.GetRequiredService<NpgsqlDataSource>();

    private static Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK) => response.JsonAsync(expected);

    private async Task<T> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var a in args) cmd.Parameters.AddWithValue(a);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")).DateTime);

    private async Task<(long Id, string Token)> NewMeldingAsync(string gebied, string category, string description)
    {
        var (x, y) = await TestData.InsideAsync(Db, gebied);
        var made = await _anonymous.SubmitMeldingAsync(new { category, description, x, y, email = "melder@example.nl" });
        return (made.GetProperty("id").GetInt64(), made.GetProperty("statusToken").GetString()!);
    }

    private async Task SetStatusAsync(HttpClient team, long id, string status, string? note = null, HttpStatusCode expected = HttpStatusCode.NoContent)
    {
        var version = (await Json(await team.GetAsync($"/api/meldingen/{id}"))).GetProperty("melding").GetProperty("version").GetInt32();
        var response = await team.PostAsJsonAsync($"/api/meldingen/{id}/status", new { status, note, version });
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task Asking_the_melder_stops_the_clock_the_answer_with_a_clean_photo_reaches_only_the_team_and_the_deadline_moves_on()
    {
        var (id, token) = await NewMeldingAsync("GB0361-noord", "overlast", "Hangjongeren bij het speelveld");
        var team = await fx.Factory.SignedInAsync("team-noord");

        // a question needs its text; refused without one, nothing changed
        await SetStatusAsync(team, id, "reactie_gevraagd", null, HttpStatusCode.BadRequest);
        Assert.Equal("nieuw", await ScalarAsync<string>("SELECT status FROM melding WHERE id = $1", id));
        await SetStatusAsync(team, id, "reactie_gevraagd", "Op welke avonden ziet u hen, en hoe laat?");
        Assert.True(await ScalarAsync<bool>("SELECT paused_since IS NOT NULL FROM melding WHERE id = $1", id));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM mail_outbox WHERE kind = 'melding vraag' AND ref_id = $1", id.ToString()));

        // the link shows the question; while the clock stands still the melding is not late, even with its day long past
        var status = await Json(await _anonymous.GetAsync($"/api/meldingen/status/{token}"));
        Assert.Equal("reactie_gevraagd", status.GetProperty("status").GetString());
        Assert.Equal("Op welke avonden ziet u hen, en hoe laat?", status.GetProperty("question").GetString());
        Assert.True(status.GetProperty("paused").GetBoolean());
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET paused_since = now() - interval '14 days', due_on = $2, three_times_due_on = $2 WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(Today.AddDays(-3));
            await cmd.ExecuteNonQueryAsync();
        }
        var overdue = await Json(await team.GetAsync("/api/meldingen/lijst?overdue=true&limit=1000"));
        Assert.DoesNotContain(id, overdue.GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
        var listed = (await Json(await team.GetAsync("/api/meldingen/lijst?open=true&limit=1000"))).GetProperty("rows").EnumerateArray()
            .Single(r => r.GetProperty("id").GetInt64() == id);
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("late").ValueKind);
        var pausedOn = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(
            await ScalarAsync<DateTime>("SELECT paused_since FROM melding WHERE id = $1", id), TimeZoneInfo.FindSystemTimeZoneById("Europe/Amsterdam")));

        // the melder answers on the link, with a phone photo: the clock goes on, the deadline moved by the working days it stood still
        using (var form = new MultipartFormDataContent { { new StringContent("Elke vrijdag vanaf 22 uur, bij de bank van Jan de Vries."), "text" } })
        {
            var photo = new ByteArrayContent(MeldingWorkspaceTests.PhoneJpeg(40, 30, "GEHEIM-GPS"));
            photo.Headers.ContentType = new("image/jpeg");
            form.Add(photo, "foto", "IMG_0002.jpg");
            Assert.Equal(HttpStatusCode.NoContent, (await _anonymous.PostAsync($"/api/meldingen/status/{token}/reactie", form)).StatusCode);
        }
        var moved = HandlingDeadline.PauseLength(pausedOn, Today);
        Assert.InRange(moved, 8, 10); // 14 calendar days hold 10 working days, fewer with a holiday
        Assert.Equal(WorkingDays.Add(Today.AddDays(-3), moved), DateOnly.FromDateTime(await ScalarAsync<DateTime>("SELECT due_on::timestamp FROM melding WHERE id = $1", id)));
        Assert.Equal(moved, await ScalarAsync<short>("SELECT paused_days FROM melding WHERE id = $1", id));
        Assert.Equal("in_behandeling", await ScalarAsync<string>("SELECT status FROM melding WHERE id = $1", id));
        Assert.True(await ScalarAsync<bool>("SELECT paused_since IS NULL FROM melding WHERE id = $1", id));

        // the team reads the answer and its photo, stripped; the link shows only that it arrived, not what it says
        var detail = await Json(await team.GetAsync($"/api/meldingen/{id}"));
        var reply = detail.GetProperty("notes").EnumerateArray().Single(n => n.GetProperty("kind").GetString() == "melder");
        Assert.Equal("Elke vrijdag vanaf 22 uur, bij de bank van Jan de Vries.", reply.GetProperty("text").GetString());
        var image = await team.GetAsync($"/api/meldingen/{id}/notities/{reply.GetProperty("id").GetInt64()}/foto");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        var bytes = await image.Content.ReadAsByteArrayAsync();
        Assert.DoesNotContain("GEHEIM", Encoding.ASCII.GetString(bytes));
        Assert.DoesNotContain((byte)0xE1, MeldingWorkspaceTests.Segments(bytes));
        Assert.Equal(HttpStatusCode.NotFound, (await (await fx.Factory.SignedInAsync("team-zuid"))
            .GetAsync($"/api/meldingen/{id}/notities/{reply.GetProperty("id").GetInt64()}/foto")).StatusCode);
        var statusText = await (await _anonymous.GetAsync($"/api/meldingen/status/{token}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain("Jan de Vries", statusText);
        Assert.DoesNotContain("Jan de Vries", await _anonymous.GetStringAsync($"/melding/status/{token}"));
        Assert.Single((await Json(await _anonymous.GetAsync($"/api/meldingen/status/{token}"))).GetProperty("replies").EnumerateArray());

        // no question open any more: a second answer is refused and nothing is stored; an unknown link gets nothing
        var again = await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/reactie", new { text = "Nog iets" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM melding_note WHERE melding_id = $1 AND kind = 'melder'", id));
        Assert.Equal(HttpStatusCode.NotFound, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{StatusLinks.NewToken()}/reactie", new { text = "x" })).StatusCode);
        // audited as the melder, and in the history the team reads
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'reactie van melder' AND subject_id = $1 AND actor = 'de melder'", id.ToString()));
    }

    [Fact]
    public async Task After_closing_the_melder_says_whether_satisfied_and_may_reopen_within_the_period_once_per_closing()
    {
        var options = fx.Factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeldingOptions>>().Value;
        var (id, token) = await NewMeldingAsync("GB0361-zuid", "afval", "Vuilniszakken naast de container");
        var team = await fx.Factory.SignedInAsync("team-zuid");
        // not yet closed: nothing to say
        Assert.Equal(HttpStatusCode.Conflict, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid", new { tevreden = true })).StatusCode);
        await SetStatusAsync(team, id, "afgehandeld", "Opgeruimd.");
        Assert.True((await Json(await _anonymous.GetAsync($"/api/meldingen/status/{token}"))).GetProperty("mayGiveSatisfaction").GetBoolean());

        // reopening wants a "no" and a reason: refused otherwise, nothing stored
        Assert.Equal(HttpStatusCode.BadRequest, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid", new { tevreden = true, heropenen = true })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid", new { tevreden = false, heropenen = true })).StatusCode);
        Assert.True(await ScalarAsync<bool>("SELECT satisfied IS NULL FROM melding WHERE id = $1", id));

        // "nee, pak het opnieuw op": open again as new, with its handling time counted afresh from today
        Assert.Equal(HttpStatusCode.NoContent, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid",
            new { tevreden = false, reden = "Er liggen weer zakken, nu bij huisnummer 3.", heropenen = true })).StatusCode);
        Assert.Equal("nieuw", await ScalarAsync<string>("SELECT status FROM melding WHERE id = $1", id));
        Assert.True(await ScalarAsync<bool>("SELECT closed_at IS NULL FROM melding WHERE id = $1", id));
        Assert.Equal((short)1, await ScalarAsync<short>("SELECT reopened_count FROM melding WHERE id = $1", id));
        Assert.Equal(WorkingDays.Add(Today, options.HandlingDays["afval"]), DateOnly.FromDateTime(await ScalarAsync<DateTime>("SELECT due_on::timestamp FROM melding WHERE id = $1", id)));
        var melding = (await Json(await team.GetAsync($"/api/meldingen/{id}"))).GetProperty("melding");
        Assert.Equal(1, melding.GetProperty("reopenedCount").GetInt32());
        Assert.False(melding.GetProperty("satisfied").GetBoolean());
        Assert.Equal("Er liggen weer zakken, nu bij huisnummer 3.", melding.GetProperty("satisfactionReason").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid", new { tevreden = true })).StatusCode);

        // closed again long after: reopening is over, satisfaction may still be given, once
        await SetStatusAsync(team, id, "afgehandeld");
        // (the clock turned back for the whole story: the first answer came before this closing)
        await using (var cmd = Db.CreateCommand(
            "UPDATE melding SET closed_at = now() - make_interval(days => $2 + 1), satisfaction_at = now() - make_interval(days => $2 + 2) WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(options.ReopenDays);
            await cmd.ExecuteNonQueryAsync();
        }
        var late = await Json(await _anonymous.GetAsync($"/api/meldingen/status/{token}"));
        Assert.Equal(JsonValueKind.Null, late.GetProperty("reopenUntil").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid",
            new { tevreden = false, reden = "Weer", heropenen = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid", new { tevreden = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await _anonymous.PostAsJsonAsync($"/api/meldingen/status/{token}/tevredenheid", new { tevreden = false })).StatusCode);
        Assert.True(await ScalarAsync<bool>("SELECT satisfied FROM melding WHERE id = $1", id));

        // retention removes what the melder wrote: the reason, their answers and notes
        await using (var cmd = Db.CreateCommand("UPDATE melding SET closed_at = now() - make_interval(days => $2 + 1) WHERE id = $1"))
        {
            cmd.Parameters.AddWithValue(id);
            cmd.Parameters.AddWithValue(options.RetentionDaysAfterClosing);
            await cmd.ExecuteNonQueryAsync();
        }
        await fx.Factory.Services.GetRequiredService<MeldingService>().PurgePersonalDataAsync();
        Assert.True(await ScalarAsync<bool>("SELECT satisfaction_reason IS NULL AND satisfied FROM melding WHERE id = $1", id));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM melding_note WHERE melding_id = $1 AND kind = 'melder'", id));
    }
}
