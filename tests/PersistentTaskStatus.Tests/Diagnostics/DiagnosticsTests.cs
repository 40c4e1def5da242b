using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Tests.Diagnostics;

public sealed class DiagnosticsTests(MongoFixture fixture)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Operations_produce_spans_with_container_and_task_tags_metrics_and_log_messages()
    {
        var container = "diag-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new ConcurrentQueue<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "PersistentTaskStatus",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("pts.container"), container))
                {
                    spans.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(activityListener);
        var measurements = new ConcurrentQueue<(string Instrument, long Value, string? Operation)>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "PersistentTaskStatus")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? operation = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "pts.operation")
                {
                    operation = tag.Value as string;
                }
            }

            measurements.Enqueue((instrument.Name, value, operation));
        });
        meterListener.Start();
        var logs = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        using var context = new LibraryTestContext(fixture, typeof(DiagnosticsTests), o =>
        {
            o.LoggerFactory = loggerFactory;
            o.RenewLeases = false;
        });

        var (handle, _) = await context.Client.GetOrCreateTaskContainerAsync(container, Token);
        await handle.AddTaskAsync("import", new TaskOptions { MaxRetries = 1, RetryDelay = TimeSpan.Zero }, Token);
        await using (var lease = (await handle.TryLeaseNextTaskAsync("w1", TimeSpan.FromMinutes(1), Token))!)
        {
            await lease.FailAsync(new IOException("disk full"), Token);
        }

        await using (var lease = (await handle.TryLeaseNextTaskAsync("w1", TimeSpan.FromMinutes(1), Token))!)
        {
            await lease.ReportProgressAsync(50, cancellationToken: Token);
            await lease.CompleteAsync(cancellationToken: Token);
        }

        await Assert.ThrowsAsync<DuplicateTaskException>(() => handle.AddTaskAsync("import", cancellationToken: Token));
        meterListener.RecordObservableInstruments();

        var names = spans.Select(s => s.OperationName).ToList();
        Assert.Contains("GetOrCreate", names);
        Assert.Contains("AddTask", names);
        Assert.Contains("TryLease", names);
        Assert.Contains("LeaseFail", names);
        Assert.Contains("LeaseProgress", names);
        Assert.Contains("LeaseComplete", names);
        Assert.All(spans.Where(s => s.OperationName == "LeaseComplete"), s => Assert.Equal("import", s.GetTagItem("pts.task")));
        Assert.Contains(spans, s => s.OperationName == "AddTask" && Equals(s.GetTagItem("pts.outcome"), "not_matched"));
        Assert.Contains(measurements, m => m.Instrument == "pts.operations" && m.Operation == "LeaseComplete");
        Assert.Contains(measurements, m => m.Instrument == "pts.leases.acquired");
        Assert.Contains(measurements, m => m.Instrument == "pts.retries");
        Assert.Contains(logs.Messages, m => m.Contains($"Leased task 'import' of task container '{container}' to 'w1'", StringComparison.Ordinal));
        Assert.Contains(logs.Messages, m => m.Contains("Attempt 1 of task 'import'", StringComparison.Ordinal) && m.Contains("disk full", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Credentials_in_a_connection_string_appear_in_no_log_line_and_no_exception_message()
    {
        const string password = "s3cr3t-Pa55w0rd";
        var logs = new CollectingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var url = new MongoUrlBuilder(fixture.ConnectionString)
        {
            Username = "operator",
            Password = password,
            DatabaseName = "creds",
            ServerSelectionTimeout = TimeSpan.FromSeconds(3),
            ConnectTimeout = TimeSpan.FromSeconds(3),
        }.ToString();
        using var client = new TaskStatusClient(new TaskStatusOptions { ConnectionString = url, LoggerFactory = loggerFactory });

        var error = await Record.ExceptionAsync(() => client.GetOrCreateTaskContainerAsync("with-credentials", Token));
        var badUrl = Assert.Throws<ArgumentException>(() => new TaskStatusClient(new TaskStatusOptions { ConnectionString = $"mongodb://operator:{password}@[bad" }));

        if (fixture.TestServer is not null)
        {
            // The test server has no authentication, so the driver's handshake fails: that error must not leak the password.
            Assert.NotNull(error);
        }

        Assert.DoesNotContain(password, error?.ToString() ?? "", StringComparison.Ordinal);
        Assert.DoesNotContain(password, badUrl.ToString(), StringComparison.Ordinal);
        Assert.All(logs.Messages, m => Assert.DoesNotContain(password, m, StringComparison.Ordinal));
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Collector(Messages);

        public void Dispose()
        {
        }

        private sealed class Collector(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + (exception is null ? "" : " " + exception));
        }
    }
}
