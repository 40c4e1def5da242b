using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace PersistentTaskStatus.Hosting.Tests;

public sealed class TimingLoggerProvider(string host, ConcurrentQueue<(long At, string Line)> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new TimingLogger(host, categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class TimingLogger(string host, string category, ConcurrentQueue<(long At, string Line)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((Stopwatch.GetTimestamp(), $"{host} {category} {formatter(state, exception)}"));
    }
}
