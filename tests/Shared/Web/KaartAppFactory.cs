using Alkmaar.Kaart.Server.Features.Import;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Alkmaar.Kaart.Testing;

/// <summary>
/// The real server (Program) on its own fresh PostGIS database, with the municipality's full-resolution buurten imported.
/// Background tiles are switched off: test machines have no internet, and the map must work without them.
/// </summary>
public sealed class KaartAppFactory(TestDatabase db) : WebApplicationFactory<Program>
{
    public TestDatabase Database { get; } = db;

    /// <summary>More settings for this server (e.g. the residents' sign-in of a <see cref="TestIdentityProvider"/>).</summary>
    public IEnumerable<KeyValuePair<string, string>> Settings { get; init; } = [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in Settings) builder.UseSetting(k, v);
        builder.UseSetting("ConnectionStrings:Kaart", Database.ConnectionString);
        builder.UseSetting("Boundaries:Root", TestPaths.RepoRoot);
        builder.UseSetting("Boundaries:BuurtenFile", TestPaths.RealBuurten);
        // tests load (or leave out) the boundaries themselves; one test starts a server on an empty database with it on
        if (!Settings.Any(kv => kv.Key == "Boundaries:LoadOnEmptyDatabase")) builder.UseSetting("Boundaries:LoadOnEmptyDatabase", "false");
        builder.UseSetting("Map:BackgroundTileUrl", "");
        // Tests send many requests from one client; the rate limits get their own test.
        builder.UseSetting("RateLimits:PublicWritesPerMinute", "1000000");
        builder.UseSetting("RateLimits:PublicReadsPerMinute", "10000000");
        builder.UseSetting("RateLimits:PublicPagesPerMinute", "10000000");
        builder.UseSetting("RateLimits:SignInsPerMinute", "10000000");
        builder.UseEnvironment("Development");
    }

    public async Task ImportRealBuurtenAsync()
    {
        var importer = Services.GetRequiredService<BoundaryImporter>();
        await importer.ImportAsync(TestPaths.RealBuurten);
        await Services.GetRequiredService<MunicipalityImporter>().ImportAsync(TestPaths.Cbs("alkmaar_en_buurgemeenten_2024.geojson"));
    }
}

/// <summary>
/// A fresh database with the real boundaries, the server on it and a data source for the test's own SQL: as a class
/// fixture, or created in a test class's own <c>InitializeAsync</c> for a database per test.
/// </summary>
public sealed class KaartAppFixture : IAsyncLifetime
{
    public KaartAppFactory Factory { get; private set; } = null!;
    public TestDatabase Database { get; private set; } = null!;
    public Npgsql.NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        DataSource = Database.CreateDataSource();
        Factory = new KaartAppFactory(Database);
        await Factory.ImportRealBuurtenAsync();
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await DataSource.DisposeAsync();
        await Database.DisposeAsync();
    }
}
