using System.Globalization;
using PersistentTaskStatus.TestServer;

// The standalone test server: dotnet run --project tests/PersistentTaskStatus.TestServer -- --port 27017
var port = 27017;
var verbose = false;
var serverVersion = new MongoTestServerOptions().ServerVersion;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--port" when i + 1 < args.Length:
            port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--server-version" when i + 1 < args.Length:
            serverVersion = args[++i];
            break;
        case "--verbose":
            verbose = true;
            break;
        case "--help" or "-h":
            Console.WriteLine("usage: PersistentTaskStatus.TestServer [--port N] [--server-version 5.0.0] [--verbose]   (port 0 picks a free one; versions 4.4 to 8.0)");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument: {args[i]}");
            return 2;
    }
}

await using var server = await MongoTestServer.StartAsync(new MongoTestServerOptions { Port = port, ServerVersion = serverVersion, Verbose = verbose });
Console.WriteLine($"PersistentTaskStatus test server listening on {server.ConnectionString} (Ctrl+C stops it)");
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.TrySetResult();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;
