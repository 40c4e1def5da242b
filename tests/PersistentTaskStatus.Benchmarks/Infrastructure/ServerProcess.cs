using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// The test server in a process of its own (<c>--server-process</c>), so that the benchmarks' allocated bytes are
/// the client's alone: with the in-process server, BenchmarkDotNet's MemoryDiagnoser (which counts every thread of
/// the process) also counts what the server allocates to parse, run and answer each command, which is tens to
/// thousands of times what the client allocates and is the same for the library and the raw driver.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process process;

    private ServerProcess(Process process, int port)
    {
        this.process = process;
        ConnectionString = string.Create(CultureInfo.InvariantCulture, $"mongodb://127.0.0.1:{port}/");
    }

    public string ConnectionString { get; }

    public static ServerProcess Start()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var server = Path.Combine(AppContext.BaseDirectory, "PersistentTaskStatus.TestServer.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(server);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {server}.");
        var line = process.StandardOutput.ReadLine();
        if (line is null || !line.Contains("listening", StringComparison.Ordinal))
        {
            process.Kill();
            throw new InvalidOperationException($"The test server did not start: {line}");
        }

        Console.WriteLine($"// Test server process {process.Id}: {line}");
        return new ServerProcess(process, port);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }

        process.Dispose();
    }
}

/// <summary>Warms a fresh server process up (its JIT tiers up on the commands the benchmarks send) before any case runs.</summary>
internal static class ServerWarmUp
{
    public static async Task RunAsync()
    {
        await using var mongo = await BenchmarkMongo.StartAsync();
        var side = mongo.TimedSide();
        using var client = side.Library;
        var container = await Seed.ContainerAsync(client, "warm-up", 100);
        for (var i = 0; i < 400; i++)
        {
            await container.UpdateProgressAsync(Seed.TaskName(i % 100), i % 100, Seed.ProgressTexts[i % 100]);
        }

        for (var i = 0; i < 50; i++)
        {
            await using var lease = await container.TryLeaseNextTaskAsync("warm-up", TimeSpan.FromMinutes(1));
            await lease!.CompleteAsync();
            await client.GetOrCreateTaskContainerAsync("warm-up");
            await OldModule.UpdateProgressAsync(side.Raw, "warm-up", Seed.TaskName(99), i, Seed.ProgressTexts[i]);
        }
    }
}
