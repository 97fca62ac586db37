namespace Alkmaar.Kaart.Server.Features.Meldingen;

/// <summary>Removes personal data of closed meldingen past the retention period, at start and then every hour.</summary>
public sealed class RetentionService(IServiceProvider services, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1));
        do
        {
            try
            {
                var removed = await services.GetRequiredService<MeldingService>().PurgePersonalDataAsync(stoppingToken);
                if (removed > 0) logger.LogInformation("Retention: removed personal data of {Count} closed meldingen", removed);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Retention run failed; will retry in an hour");
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
