using System.Globalization;
using BenchmarkDotNet.Attributes;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// What every benchmark class shares: the MongoDB of the case, a library client and a raw collection on the timed
/// client, the same on the metered client, and the measurement of bytes on the wire per operation.
/// </summary>
public abstract class ContainerBenchmark
{
    private BenchmarkMongo? mongo;

    private protected BenchmarkMongo Mongo => mongo ?? throw new InvalidOperationException("GlobalSetup has not run.");

    /// <summary>The side the measured code runs on.</summary>
    private protected Side Timed { get; private set; } = null!;

    /// <summary>The side the wire sizes are measured on, once, in GlobalSetup.</summary>
    private protected Side Metered { get; private set; } = null!;

    /// <summary>The case's parameters as BenchmarkDotNet names them (<c>Name=Value,...</c>); empty without [Params].</summary>
    private protected virtual string Parameters => "";

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        if (mongo is not null)
        {
            Timed.Library.Dispose();
            Metered.Library.Dispose();
            await mongo.DisposeAsync().ConfigureAwait(false);
            mongo = null;
        }
    }

    private protected async Task StartMongoAsync()
    {
        mongo = await BenchmarkMongo.StartAsync().ConfigureAwait(false);
        Timed = mongo.TimedSide();
        Metered = mongo.MeteredSide();
    }

    /// <summary>
    /// Runs <paramref name="operation"/> once to warm up (connections, the library's index creation), then
    /// <paramref name="operations"/> times with the meter on, and records the bytes per operation for the columns.
    /// </summary>
    private protected async Task MeasureWireAsync(string method, Func<Task> operation, int operations = 8)
    {
        await operation().ConfigureAwait(false);
        Mongo.Meter.Start();
        for (var i = 0; i < operations; i++)
        {
            await operation().ConfigureAwait(false);
        }

        WireResults.Save(WireResults.Key(BenchmarkType.Name, method, Parameters), Mongo.Meter.Stop(operations));
    }

    /// <summary>The benchmark class itself: BenchmarkDotNet runs a class it derives from it.</summary>
    private Type BenchmarkType
    {
        get
        {
            var type = GetType();
            while (type.BaseType is { } baseType && type.Assembly != typeof(ContainerBenchmark).Assembly)
            {
                type = baseType;
            }

            return type;
        }
    }

    private protected static string Param(string name, int value) => string.Create(CultureInfo.InvariantCulture, $"{name}={value}");
}
