using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

// Part 6: the credentials of a connection string appear in no log line and no exception (message, inner exceptions
// and all), whatever goes wrong: an unreachable or unknown host, a malformed connection string, an operation timeout.
public sealed class SecretTests(MongoFixture fixture)
{
    private const string User = "reliabilityUser7";
    private const string Password = "S3cr3t-Pa55w0rd";

    private static CancellationToken Token => ReliabilityContext.Token;

    public static TheoryData<string> MalformedConnectionStrings =>
    [
        $"mongodb://{User}:{Password}@localhost:notaport/db",
        $"mongodb://{User}:{Password}@/db",
        $"mongodb//{User}:{Password}@localhost/db",
        $"mongodb+srv://{User}:{Password}@localhost:27017/db",
        $"mongodb://{User}:{Password}@localhost/db?w=majority&wtimeoutMS=abc",
    ];

    [Theory]
    [MemberData(nameof(MalformedConnectionStrings))]
    public void A_malformed_connection_string_is_refused_without_quoting_its_credentials(string connectionString)
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            new TaskStatusClient(new TaskStatusOptions { ConnectionString = connectionString, LoggerFactory = factory }).Dispose());

        AssertNoSecret(error, logs);
        Figures.Add("secret checks passed (no credential in any log line or exception)", 1);
    }

    [Fact]
    public void A_connection_string_with_an_unknown_auth_mechanism_is_refused_as_an_ArgumentException_without_its_credentials()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var error = Assert.ThrowsAny<ArgumentException>(() =>
            new TaskStatusClient(new TaskStatusOptions { ConnectionString = $"mongodb://{User}:{Password}@localhost/db?authMechanism=NOPE", LoggerFactory = factory }).Dispose());
        AssertNoSecret(error, logs);
    }

    [Fact]
    public void A_connection_string_with_an_unknown_auth_mechanism_fails_without_naming_its_credentials()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var error = Assert.ThrowsAny<Exception>(() =>
            new TaskStatusClient(new TaskStatusOptions { ConnectionString = $"mongodb://{User}:{Password}@localhost/db?authMechanism=NOPE", LoggerFactory = factory }).Dispose());
        AssertNoSecret(error, logs);
        Figures.Add("secret checks passed (no credential in any log line or exception)", 1);
    }

    [Fact]
    public async Task An_unreachable_host_fails_without_naming_the_credentials()
    {
        // A closed port on the loopback: connections are refused at once.
        var port = FreePort();
        await AssertFailsWithoutSecretAsync($"mongodb://{User}:{Password}@127.0.0.1:{port}/db?serverSelectionTimeoutMS=700&connectTimeoutMS=300", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_unknown_host_fails_without_naming_the_credentials()
    {
        await AssertFailsWithoutSecretAsync($"mongodb://{User}:{Password}@no-such-host.invalid:27017/db?serverSelectionTimeoutMS=700&connectTimeoutMS=300", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task An_operation_timeout_fails_without_naming_the_credentials()
    {
        // A server that accepts connections and never answers: the operation times out.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var accepted = new List<TcpClient>();
        var accepting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    accepted.Add(await silent.AcceptTcpClientAsync(Token));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
            }
        }, Token);
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var error = await AssertFailsWithoutSecretAsync($"mongodb://{User}:{Password}@127.0.0.1:{port}/db", TimeSpan.FromMilliseconds(600));
        Assert.IsType<TimeoutException>(error);
        silent.Stop();
        foreach (var client in accepted)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Failing_operations_on_a_working_server_log_no_credentials()
    {
        // The fixture's server with credentials added would make the driver authenticate; instead check that the
        // library's own log lines of failed operations on a working server carry only names, never the connection
        // string it was given through the client.
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var context = new ReliabilityContext(fixture, typeof(SecretTests), o => o.LoggerFactory = factory);
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("secrets", Token);
        await Assert.ThrowsAsync<TaskNotFoundException>(() => container.UpdateProgressAsync("missing", 1, cancellationToken: Token));
        Assert.NotEmpty(logs.Lines);
        Assert.DoesNotContain(logs.Lines, l => l.Contains(fixture.ConnectionString, StringComparison.Ordinal) && fixture.ConnectionString.Contains('@', StringComparison.Ordinal));
        Figures.Add("secret checks passed (no credential in any log line or exception)", 1);
    }

    private static async Task<Exception> AssertFailsWithoutSecretAsync(string connectionString, TimeSpan operationTimeout)
    {
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var client = new TaskStatusClient(new TaskStatusOptions
        {
            ConnectionString = connectionString,
            LoggerFactory = factory,
            OperationTimeout = operationTimeout,
        });
        var errors = new List<Exception>
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.GetOrCreateTaskContainerAsync("secret-run", Token)),
            await Assert.ThrowsAnyAsync<Exception>(() => client.GetTaskContainerAsync("secret-run", Token)),
            await Assert.ThrowsAnyAsync<Exception>(() => client.DeleteTaskContainerAsync("secret-run", Token)),
        };
        Assert.NotEmpty(logs.Lines);
        foreach (var error in errors)
        {
            Assert.IsNotType<ArgumentException>(error);
            AssertNoSecret(error, logs);
        }

        Figures.Add("secret checks passed (no credential in any log line or exception)", errors.Count);
        return errors[0];
    }

    private static void AssertNoSecret(Exception error, CapturingLoggerProvider logs)
    {
        foreach (var secret in new[] { Password, User })
        {
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
            for (var inner = error; inner is not null; inner = inner.InnerException)
            {
                Assert.DoesNotContain(secret, inner.Message, StringComparison.Ordinal);
            }

            Assert.DoesNotContain(logs.Lines, line => line.Contains(secret, StringComparison.Ordinal));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Keeps every log line, with its exception written out in full.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> lines = new();

        public IReadOnlyList<string> Lines => [.. lines];

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var structured = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {structured} {exception}");
            }
        }
    }
}
