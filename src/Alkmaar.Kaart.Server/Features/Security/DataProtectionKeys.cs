using System.Security.Cryptography.X509Certificates;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Alkmaar.Kaart.Server.Features.Security;

/// <summary>
/// The Data Protection key ring in PostgreSQL (table <c>data_protection_key</c>), through the framework's own extension
/// point (<see cref="IXmlRepository"/>): several server processes behind a proxy share one key ring, so a sign-in cookie,
/// an antiforgery token or a status link made by one is accepted by the others. The framework encrypts each key with the
/// configured certificate before it is stored.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource db) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = db.CreateCommand("SELECT xml FROM data_protection_key ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<XElement>();
        while (r.Read()) list.Add(XElement.Parse(r.GetString(0)));
        return list;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = db.CreateCommand("INSERT INTO data_protection_key (friendly_name, xml) VALUES ($1, $2)");
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }
}

/// <summary>Options of the shared key ring (section <c>DataProtection</c>).</summary>
public sealed class DataProtectionSettings
{
    public const string Section = "DataProtection";
    /// <summary>A PKCS#12 file whose certificate encrypts the keys at rest; without it the keys are stored unencrypted (logged loudly).</summary>
    public string? CertificatePath { get; set; }
    public string? CertificatePassword { get; set; }
}

public static class DataProtectionSetup
{
    public const string ApplicationName = "Alkmaar.Kaart";

    public static void AddSharedDataProtection(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(DataProtectionSettings.Section).Get<DataProtectionSettings>() ?? new();
        var dp = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddOptions<KeyManagementOptions>().Configure<NpgsqlDataSource>((o, db) => o.XmlRepository = new PostgresXmlRepository(db));
        if (!string.IsNullOrWhiteSpace(settings.CertificatePath))
        {
            if (!File.Exists(settings.CertificatePath))
                throw new InvalidOperationException($"DataProtection:CertificatePath '{settings.CertificatePath}' does not exist.");
            var certificate = X509CertificateLoader.LoadPkcs12FromFile(settings.CertificatePath, settings.CertificatePassword);
            if (!certificate.HasPrivateKey) throw new InvalidOperationException("DataProtection:CertificatePath needs a certificate with its private key.");
            dp.ProtectKeysWithCertificate(certificate);
        }
        else
        {
            builder.Services.AddHostedService<UnencryptedKeysWarning>();
        }
    }

    private sealed class UnencryptedKeysWarning(ILogger<UnencryptedKeysWarning> log) : IHostedService
    {
        public Task StartAsync(CancellationToken ct)
        {
            log.LogWarning("Data Protection keys are stored in the database WITHOUT encryption at rest: set DataProtection:CertificatePath (a PKCS#12 file) for production.");
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }
}
