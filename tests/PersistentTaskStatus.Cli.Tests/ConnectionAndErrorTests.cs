using System.Diagnostics;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Cli.Tests;

public sealed class ConnectionAndErrorTests(MongoFixture fixture) : IDisposable
{
    private readonly CliTestContext context = new(fixture, typeof(ConnectionAndErrorTests));

    public void Dispose() => context.Dispose();

    [Fact]
    public async Task An_unreachable_server_is_exit_4_with_a_clear_message_and_no_password()
    {
        var clock = Stopwatch.StartNew();

        var result = await CliTestContext.RunRawAsync(["list", "--connection", "mongodb://ops:s3cr3t-pw@127.0.0.1:1/jobs", "--timeout", "1"]);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), clock.Elapsed.ToString());
        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Equal(
            "error: cannot reach MongoDB at 127.0.0.1:1 (no server answered within 1 s). Check that it is running and that --connection or MONGODB_URI names it; --timeout sets how long to wait.\n",
            result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Out);
        Assert.DoesNotContain("s3cr3t", result.Error + result.Out);
    }

    [Theory]
    [InlineData("show", "x")]
    [InlineData("watch", "x")]
    [InlineData("reset", "x", "y")]
    [InlineData("delete", "x", "--yes")]
    public async Task Every_command_reports_an_unreachable_server_the_same_way(params string[] args)
    {
        var result = await CliTestContext.RunRawAsync([.. args, "--connection", "mongodb://127.0.0.1:1/jobs", "--timeout", "500ms", "--json"]);

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith("error: cannot reach MongoDB at 127.0.0.1:1 (no server answered within 0.5 s).", result.Error);
        Assert.Equal("", result.Out);
    }

    [Fact]
    public async Task The_connection_comes_from_MONGODB_URI_and_the_database_from_it()
    {
        await context.ContainerAsync("from-env");
        var uri = new MongoUrlBuilder(context.ConnectionString) { DatabaseName = context.DatabaseName }.ToString();

        var result = await CliTestContext.RunRawAsync(["list", "--json"], environmentVariables: new Dictionary<string, string> { ["MONGODB_URI"] = uri });

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("from-env", result.Json.GetProperty("containers")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task Connection_overrides_MONGODB_URI()
    {
        await context.ContainerAsync("mine");

        var result = await CliTestContext.RunRawAsync(
            ["show", "mine", "--connection", context.ConnectionString, "-d", context.DatabaseName],
            environmentVariables: new Dictionary<string, string> { ["MONGODB_URI"] = "mongodb://127.0.0.1:1/" });

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
    }

    [Fact]
    public async Task A_collection_of_another_name_is_read_with_collection()
    {
        using var other = new TaskStatusClient(fixture.Client.GetDatabase(context.DatabaseName), new TaskStatusOptions { CollectionName = "runs" });
        await other.GetOrCreateTaskContainerAsync("elsewhere", CliTestContext.Token);

        var found = await context.RunAsync("show", "elsewhere", "--collection", "runs");
        var missing = await context.RunAsync("show", "elsewhere");

        Assert.Equal(ExitCodes.Ok, found.ExitCode);
        Assert.Equal(ExitCodes.NotFound, missing.ExitCode);
    }

    [Fact]
    public async Task No_connection_at_all_is_a_usage_error()
    {
        var result = await CliTestContext.RunRawAsync(["list"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("error: No MongoDB connection string: pass --connection <uri> or set MONGODB_URI.\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task An_invalid_connection_string_is_a_usage_error_that_does_not_quote_it()
    {
        var result = await CliTestContext.RunRawAsync(["list", "--connection", "mongodb://ops:s3cr3t-pw@host:notaport/"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("error: The connection string (from --connection or MONGODB_URI) is not a valid MongoDB connection string.\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("list", "--bogus")]
    [InlineData("show")]
    [InlineData("list", "--timeout", "soon")]
    [InlineData]
    public async Task Usage_errors_are_exit_2_and_point_to_help(params string[] args)
    {
        var result = await CliTestContext.RunRawAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.Contains("--help' for usage.", result.Error);
        Assert.Equal("", result.Out);
    }

    [Theory]
    [InlineData("frobnicate", "error: Unrecognized command or argument 'frobnicate'.")]
    [InlineData("--bogus", "error: Unrecognized command or argument '--bogus'.")]
    public async Task An_unknown_command_or_option_is_reported_alone(string argument, string message)
    {
        var result = await CliTestContext.RunRawAsync([argument]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal($"{message}\nRun 'pts --help' for usage.\n", result.Error.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task No_command_is_a_usage_error_that_lists_the_commands()
    {
        var result = await CliTestContext.RunRawAsync([]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("error: no command given: list, show, watch, reset, delete.\nRun 'pts --help' for usage.\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Out);
    }

    // The tool used to fall back on a database named pts, which is empty wherever the containers are not, and said
    // "No task containers match".
    [Theory]
    [InlineData("list")]
    [InlineData("show", "x")]
    [InlineData("delete", "x", "--yes")]
    public async Task A_connection_string_without_a_database_and_no_database_option_is_a_usage_error(params string[] args)
    {
        await context.ContainerAsync("x");
        var withoutDatabase = new MongoUrlBuilder(context.ConnectionString) { DatabaseName = null }.ToString();

        var result = await CliTestContext.RunRawAsync([.. args, "--connection", withoutDatabase]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(
            "error: The connection string names no database: add it to the connection string (mongodb://host/<database>) or pass --database <name>.\n",
            result.Error.ReplaceLineEndings("\n"));
        Assert.Equal("", result.Out);
        Assert.NotNull(await context.Client.GetTaskContainerAsync("x", CliTestContext.Token));
    }

    [Fact]
    public async Task A_connection_string_without_a_database_works_with_the_database_option()
    {
        await context.ContainerAsync("named");
        var withoutDatabase = new MongoUrlBuilder(context.ConnectionString) { DatabaseName = null }.ToString();

        var result = await CliTestContext.RunRawAsync(["list", "--json", "--connection", withoutDatabase, "--database", context.DatabaseName]);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Equal("named", result.Json.GetProperty("containers")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_replica_set_name_the_server_does_not_have_is_named_as_the_cause()
    {
        var hello = await fixture.Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: CliTestContext.Token);
        if (!hello.TryGetValue("setName", out var setName))
        {
            Assert.Skip("The MongoDB under test is not a replica set member.");
        }

        var server = new MongoUrl(context.ConnectionString).Server;
        var wrong = new MongoUrlBuilder(context.ConnectionString) { ReplicaSetName = "wrong", DatabaseName = context.DatabaseName, DirectConnection = false }.ToString();

        var result = await CliTestContext.RunRawAsync(["list", "--connection", wrong, "--timeout", "2s"]);

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.Equal(
            $"error: cannot reach MongoDB at {server.Host}:{server.Port}: the server at {server.Host}:{server.Port} belongs to replica set '{setName.AsString}', not to 'wrong' (replicaSet= in the connection string).\n",
            result.Error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("no server answered", result.Error);
    }

    [Fact]
    public async Task TLS_asked_of_a_server_without_TLS_is_named_as_the_cause()
    {
        var url = new MongoUrl(context.ConnectionString);
        if (url.UseTls)
        {
            Assert.Skip("The MongoDB under test speaks TLS.");
        }

        var tls = new MongoUrlBuilder(context.ConnectionString) { UseTls = true, AllowInsecureTls = true, DatabaseName = context.DatabaseName }.ToString();

        var result = await CliTestContext.RunRawAsync(["list", "--connection", tls, "--timeout", "2s"]);

        Assert.Equal(ExitCodes.Unavailable, result.ExitCode);
        Assert.StartsWith($"error: cannot reach MongoDB at {url.Server.Host}:{url.Server.Port}: connecting to {url.Server.Host}:{url.Server.Port} with TLS failed (", result.Error);
        Assert.EndsWith("): does the server accept TLS connections? The connection string asks for them (tls=true).\n", result.Error.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("no server answered", result.Error);
    }

    [Fact]
    public async Task A_name_the_library_refuses_is_a_usage_error()
    {
        var result = await context.RunAsync("show", "   ");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("error: ", result.Error);
        Assert.DoesNotContain("Parameter", result.Error);
    }

    [Fact]
    public async Task Help_is_exit_0_and_lists_the_commands()
    {
        var result = await CliTestContext.RunRawAsync(["--help"]);

        Assert.Equal(ExitCodes.Ok, result.ExitCode);
        Assert.Contains("pts [command] [options]", result.Out);
        foreach (var command in new[] { "list", "show <container>", "watch <container>", "reset <container> <task>", "delete <container>" })
        {
            Assert.Contains(command, result.Out);
        }
    }
}
