namespace Alkmaar.Kaart.Server;

/// <summary>
/// Splits the process arguments into the web host's own (<c>--contentRoot</c>, <c>--urls</c>, <c>--environment</c>, …)
/// and a command (<c>import …</c>, <c>seed</c>, <c>durability …</c>, <c>user …</c>) run instead of serving.
/// </summary>
public static class CommandLine
{
    public static readonly IReadOnlySet<string> Commands = new HashSet<string> { "import", "seed", "durability", "drill-failover", "user" };

    public static (string[] HostArgs, string[] Command) Split(string[] args)
    {
        var host = new List<string>();
        var command = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (command.Count == 0 && Commands.Contains(a)) { command.Add(a); continue; }
            if (command.Count > 0 && !IsHostOption(a)) { command.Add(a); continue; }
            host.Add(a);
            if (IsHostOption(a) && !a.Contains('=') && i + 1 < args.Length) host.Add(args[++i]);
        }
        return (host.ToArray(), command.ToArray());
    }

    private static bool IsHostOption(string a) =>
        a.Split('=')[0] is "--contentRoot" or "--urls" or "--environment" or "--applicationName" or "--webroot";
}
