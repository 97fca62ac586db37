using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server;
using Alkmaar.Kaart.Server.Components;
using Alkmaar.Kaart.Server.Database;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.AreaProfiles;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.CrossBoundary;
using Alkmaar.Kaart.Server.Features.WijkAanZet;
using Alkmaar.Kaart.Server.Features.Export;
using Alkmaar.Kaart.Server.Features.Gebiedsteams;
using Alkmaar.Kaart.Server.Features.Health;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Import;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Server.Features.Notifications;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Server.Features.Kerncijfers;
using Alkmaar.Kaart.Server.Features.Overleg;
using Alkmaar.Kaart.Server.Features.Organisaties;
using Alkmaar.Kaart.Server.Features.Wijkpanels;
using Alkmaar.Kaart.Server.Features.Zoeken;
using Alkmaar.Kaart.Server.Features.Schouwen;
using Alkmaar.Kaart.Server.Features.Ogc;
using Alkmaar.Kaart.Server.Features.Security;
using Alkmaar.Kaart.Server.Features.Plans;
using Alkmaar.Kaart.Server.Features.Population;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Npgsql;
using Radzen;

var (hostArgs, command) = CommandLine.Split(args);
// (started from another folder without --contentRoot: the published files beside the assembly are the content root)
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = hostArgs,
    ContentRootPath = hostArgs.Any(a => a.StartsWith("--contentRoot", StringComparison.Ordinal)) || File.Exists("appsettings.json") ? null : AppContext.BaseDirectory,
});
// no "Server: Kestrel" on every answer: it tells an attacker what runs here and costs bytes on every small answer
builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

var connectionString = builder.Configuration.GetConnectionString(KaartDatabase.ConnectionStringName);
if (string.IsNullOrWhiteSpace(connectionString))
    throw new InvalidOperationException(
        "ConnectionStrings:Kaart is not set. Start through ./kaart run, or set ConnectionStrings__Kaart to a PostGIS database.");
builder.Services.AddSingleton(_ => KaartDatabase.CreateDataSource(connectionString));
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddMemoryCache();

// the features, bottom up (each registers its own services and options; see docs/architecture.md)
builder.AddAreas();
builder.AddBoundaryImport();
builder.AddPlans();
builder.AddCrossBoundary();
builder.AddNotifications();
builder.AddWijkAanZet();
builder.AddAreaLocator();
builder.AddAudit();
builder.AddPopulation();
builder.AddKerncijfers();
builder.AddOverleg();
builder.AddAddresses();
builder.AddGebiedsteams();
builder.AddMeldingen();
builder.AddHotspots();
builder.AddMonitor();
builder.AddInitiatieven();
builder.AddOrganisaties();
builder.AddWijkpanels();
builder.AddZoeken();
builder.AddSchouwen();
builder.AddAreaProfiles();
builder.AddOgc();
builder.AddExport();
builder.AddKaartSecurity();
builder.AddSharedDataProtection();
builder.AddKaartTelemetry();
builder.AddKaartReverseProxy();
builder.AddKaartOptions<SeedOptions>(SeedOptions.Section);

builder.Services.AddProblemDetails();
// the process's one LISTEN connection; features subscribe with IPgNotificationSubscriber
builder.Services.AddHostedService<Alkmaar.Kaart.Server.Features.PgNotifications>();
builder.AddKaartAccounts();
builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("postgis");
builder.Services.AddResponseCompression(o =>
{
    o.EnableForHttps = true;
    o.Providers.Add<BrotliCompressionProvider>();
    o.Providers.Add<GzipCompressionProvider>();
    o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat([AreasEndpoints.GeoJsonContentType]);
});

builder.Services.AddRazorComponents().AddInteractiveServerComponents();
builder.Services.AddRadzenComponents();
builder.Services.AddScoped<Alkmaar.Kaart.Server.Components.RadzenOnDemand>();

var app = builder.Build();

KaartDatabase.Migrate(connectionString, app.Logger);
var meldingOptions = app.Services.GetRequiredService<IOptions<MeldingOptions>>().Value;
await MeldingCells.EnsureGridAsync(connectionString, meldingOptions.GeneralisationGridMetres, meldingOptions.PublicMinimumCount, app.Logger);
await MeldingDeadlines.FillMissingAsync(connectionString, meldingOptions, app.Logger);
await MeldingCijfers.EnsureAsync(connectionString, app.Logger);

// the command line speaks Dutch, numbers included (110.795 inwoners, 12,5 m²)
if (command.Length > 0) System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("nl-NL");
switch (command.FirstOrDefault())
{
    case "import": // import <kind> [file] [options]
        return await Alkmaar.Kaart.Server.Commands.ImportCommand.RunAsync(app, command);
    case "seed": // what ./kaart run loads into empty tables
        return await Alkmaar.Kaart.Server.Commands.SeedCommand.RunAsync(app);
    case "drill-failover": // drill-failover --url <proxy> … --kill <command …>
        return await Alkmaar.Kaart.Server.Commands.FailoverDrill.RunAsync(app, command);
    case "durability": // durability --pgdata <dir> --restart <command …>
        return await Alkmaar.Kaart.Server.Commands.DurabilityCommand.RunAsync(app, command);
    case "user": // user add <name> --role … | user list
        return await UserCommand.RunAsync(app.Services, command[1..], Console.In, Console.Out, Console.Error);
}

// a server (no command) on a database without boundaries loads the configured, full-resolution ones first
await Alkmaar.Kaart.Server.Features.Import.BoundaryBootstrap.EnsureLoadedAsync(app);

app.UseKaartForwardedHeaders();
app.UseKaartErrorHandling();
app.UseLeanLocate(); // GET /api/locate on the leanest path, before the rest of the pipeline (issue 35)
app.UseKaartHeadRequests(); // HEAD as GET without a body (pages and APIs are mapped for GET)
app.UseRouting(); // (after HEAD became GET: the endpoint is chosen for GET)
app.UseKaartOriginCheck();
app.UseKaartStatusPages(); // an empty error status: problem+json on API paths, a Dutch page for pages (never the browser's own)
// The UI speaks Dutch: numbers and dates are formatted nl-NL whatever the browser asks.
app.UseRequestLocalization(new RequestLocalizationOptions().SetDefaultCulture("nl-NL").AddSupportedCultures("nl-NL").AddSupportedUICultures("nl-NL"));
app.UseKaartSecurityHeaders();
app.UseResponseCompression();
app.UseKaartFormAnswers(); // a page's form Blazor cannot take (gone from the page, an expired token): the Dutch page with what was typed (before antiforgery: it keeps the body)
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapAreas();
app.MapAreaProfiles();
app.MapAreaFeed();
app.MapKerncijfers();
app.MapLocate();
app.MapRouteBatch();
app.MapMeldingen();
app.MapBoundaryUpload();
app.MapPlans();
app.MapCrossBoundary();
app.MapWijkAanZet();
app.MapOverleg();
app.MapNotifications();
app.MapAddresses();
app.MapGebiedsteams();
app.MapOgc();
app.MapExport();
app.MapHotspots();
app.MapMonitor();
app.MapInitiatieven();
app.MapOrganisaties();
app.MapZoeken();
app.MapSchouwen();
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteResponse }).AllowAnonymous();
// for the proxy and the process supervisor: ready = the database (the primary) answers and boundaries are loaded; live = the process answers
app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteResponse }).AllowAnonymous();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
app.MapKaartMetrics(); // /metrics on the internal metrics port only (Metrics:Port)
app.MapAccounts();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().AllowAnonymousFrameworkEndpoints();

app.Run();
return 0;

public partial class Program;
