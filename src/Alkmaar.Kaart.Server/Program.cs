using Alkmaar.Kaart.Geo.Areas;
using Alkmaar.Kaart.Server;
using Alkmaar.Kaart.Server.Components;
using Alkmaar.Kaart.Server.Database;
using Alkmaar.Kaart.Server.Features.Accounts;
using Alkmaar.Kaart.Server.Features.Addresses;
using Alkmaar.Kaart.Server.Features.AreaProfiles;
using Alkmaar.Kaart.Server.Features.Areas;
using Alkmaar.Kaart.Server.Features.Audit;
using Alkmaar.Kaart.Server.Features.Export;
using Alkmaar.Kaart.Server.Features.Gebiedsteams;
using Alkmaar.Kaart.Server.Features.Health;
using Alkmaar.Kaart.Server.Features.Hotspots;
using Alkmaar.Kaart.Server.Features.Import;
using Alkmaar.Kaart.Server.Features.Meldingen;
using Alkmaar.Kaart.Server.Features.Monitor;
using Alkmaar.Kaart.Server.Features.Initiatieven;
using Alkmaar.Kaart.Server.Features.Ogc;
using Alkmaar.Kaart.Server.Features.Security;
using Alkmaar.Kaart.Server.Features.Routing;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.Options;
using Npgsql;
using Radzen;

var (hostArgs, command) = CommandLine.Split(args);
var builder = WebApplication.CreateBuilder(hostArgs);

builder.Services.AddOptions<BoundaryOptions>().Bind(builder.Configuration.GetSection(BoundaryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<MapOptions>().Bind(builder.Configuration.GetSection(MapOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<RoutingOptions>().Bind(builder.Configuration.GetSection(RoutingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<BoundaryUploadOptions>().Bind(builder.Configuration.GetSection(BoundaryUploadOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection(ApiOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

var connectionString = builder.Configuration.GetConnectionString(KaartDatabase.ConnectionStringName);
if (string.IsNullOrWhiteSpace(connectionString))
    throw new InvalidOperationException(
        "ConnectionStrings:Kaart is not set. Start through ./kaart run, or set ConnectionStrings__Kaart to a PostGIS database.");

builder.Services.AddSingleton(_ => KaartDatabase.CreateDataSource(connectionString));
builder.Services.AddSingleton(sp =>
{
    var o = sp.GetRequiredService<IOptions<BoundaryOptions>>().Value;
    var path = PathResolution.Resolve(o.Gebiedsindeling, o.Root, builder.Environment.ContentRootPath);
    return Gebiedsindeling.Load(path);
});
builder.Services.AddSingleton<BoundaryImporter>();
builder.Services.AddSingleton<BoundaryVersions>();
builder.Services.AddSingleton<MunicipalityImporter>();
builder.Services.AddSingleton<AreaRepository>();
builder.Services.AddSingleton<AreaLocatorProvider>();
builder.Services.AddSingleton<IBoundaryListener>(sp => sp.GetRequiredService<AreaLocatorProvider>());
builder.Services.AddSingleton<BoundaryResponseCache>();
builder.Services.AddSingleton<IBoundaryListener>(sp => sp.GetRequiredService<BoundaryResponseCache>());
builder.Services.AddHostedService<BoundaryChangeListener>();

builder.Services.AddSingleton<AuditLog>();
builder.Services.AddOptions<MeldingOptions>().Bind(builder.Configuration.GetSection(MeldingOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<MeldingService>();
builder.Services.AddSingleton<DisclosureControl>();
builder.Services.AddSingleton<MeldingCells>();
builder.Services.AddSingleton<DemoMeldingen>();
builder.Services.AddMemoryCache();
builder.Services.AddOptions<HotspotSettings>().Bind(builder.Configuration.GetSection(HotspotSettings.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<HotspotService>();
builder.Services.AddSingleton<MonitorStore>();
builder.Services.AddSingleton<MonitorChoropleth>();
builder.Services.AddSingleton<InitiatiefStore>();
builder.Services.AddOptions<Alkmaar.Kaart.Server.Features.Population.PopulationOptions>().Bind(builder.Configuration.GetSection(Alkmaar.Kaart.Server.Features.Population.PopulationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<Alkmaar.Kaart.Server.Features.Population.PopulationStore>();
builder.Services.AddSingleton<AreaProfileService>();
builder.Services.AddSingleton<AddressStore>();
builder.Services.AddSingleton<GebiedsteamStore>();
builder.Services.AddSingleton<TeamFinder>();
builder.Services.AddOptions<OgcOptions>().Bind(builder.Configuration.GetSection(OgcOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<OgcData>();
builder.Services.AddSingleton<ExportService>();
if (builder.Configuration.GetValue("Meldingen:RetentionJob", true)) builder.Services.AddHostedService<RetentionService>();
builder.AddKaartSecurity();
builder.AddKaartReverseProxy();

builder.Services.AddProblemDetails();
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

var app = builder.Build();

KaartDatabase.Migrate(connectionString, app.Logger);
var meldingOptions = app.Services.GetRequiredService<IOptions<MeldingOptions>>().Value;
await MeldingCells.EnsureGridAsync(connectionString, meldingOptions.GeneralisationGridMetres, meldingOptions.PublicMinimumCount, app.Logger);

switch (command.FirstOrDefault())
{
    case "import": // import boundaries|municipalities [path] [--if-empty]
        return await ImportCommand.RunAsync(app, command);
    case "user": // user add <name> --role … | user list
        return await UserCommand.RunAsync(app.Services, command[1..], Console.In, Console.Out, Console.Error);
}

app.UseKaartErrorHandling();
app.UseKaartOriginCheck();
app.UseStatusCodePages(async ctx =>
{
    // API paths answer problem+json; pages get the Dutch not-found page.
    if (ctx.HttpContext.Request.Path.StartsWithSegments("/api") || ctx.HttpContext.Request.Path.StartsWithSegments("/ogc"))
        await Results.Problem(statusCode: ctx.HttpContext.Response.StatusCode).ExecuteAsync(ctx.HttpContext);
});
// The UI speaks Dutch: numbers and dates are formatted nl-NL whatever the browser asks.
app.UseRequestLocalization(new RequestLocalizationOptions().SetDefaultCulture("nl-NL").AddSupportedCultures("nl-NL").AddSupportedUICultures("nl-NL"));
app.UseKaartSecurityHeaders();
app.UseResponseCompression();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapStaticAssets().AllowAnonymous();
app.MapAreas();
app.MapAreaProfiles();
app.MapLocate();
app.MapRouteBatch();
app.MapMeldingen();
app.MapBoundaryUpload();
app.MapAddresses();
app.MapGebiedsteams();
app.MapOgc();
app.MapExport();
app.MapHotspots();
app.MapMonitor();
app.MapInitiatieven();
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = DatabaseHealthCheck.WriteResponse }).AllowAnonymous();
app.MapAccounts();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode().AllowAnonymousFrameworkEndpoints();

app.Run();
return 0;

public partial class Program;
