using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ReadmeExamples;

public sealed class Diagnostics
{
    [Fact]
    public void OpenTelemetry_set_up_as_the_readme_shows_listens_to_the_librarys_traces()
    {
        var services = new ServiceCollection();

        // begin-snippet: open-telemetry
        services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource("PersistentTaskStatus"))
            .WithMetrics(m => m.AddMeter("PersistentTaskStatus"));
        // end-snippet

        using var provider = services.BuildServiceProvider();
        Assert.NotNull(provider.GetRequiredService<TracerProvider>());
        Assert.NotNull(provider.GetRequiredService<MeterProvider>());
        using var source = new ActivitySource("PersistentTaskStatus");
        Assert.True(source.HasListeners());
    }
}
