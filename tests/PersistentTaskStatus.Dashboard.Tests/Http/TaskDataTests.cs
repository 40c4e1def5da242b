using System.Net;
using PersistentTaskStatus.Dashboard.Hosting;
using PersistentTaskStatus.Dashboard.Rendering;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Http;

/// <summary>A task's data and checkpoint, fetched as text when a page opens their section.</summary>
public sealed class TaskDataTests(MongoFixture fixture) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(TaskDataTests));
    private readonly HttpClient http = new();

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await context.DisposeAsync();
    }

    [Fact]
    public async Task A_tasks_data_and_checkpoint_are_served_as_plain_text_json_and_a_huge_one_is_cut()
    {
        var (run, _) = await context.Client.GetOrCreateTaskContainerAsync("run/1", Token);
        var huge = new string('x', PageRenderer.MaxDataCharacters);
        await run.AddTaskAsync("a&b", new TaskOptions { TaskData = new BsonDocument { { "url", "<b>x</b>" }, { "blob", huge } } }, Token);
        await run.UpdateTaskAsync("a&b", new TaskChanges { ProcessingData = new BsonDocument("offset", 42L) }, Token);
        var host = await context.StartHostAsync();

        using var checkpoint = await http.GetAsync(DataUrl(host, "run/1", "a&b", "checkpoint"), Token);
        Assert.Equal(HttpStatusCode.OK, checkpoint.StatusCode);
        Assert.Equal("text/plain", checkpoint.Content.Headers.ContentType!.MediaType);
        Assert.Equal("nosniff", checkpoint.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(checkpoint.Headers.CacheControl!.NoStore);
        Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, checkpoint.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("{\n  \"offset\" : 42\n}", await checkpoint.Content.ReadAsStringAsync(Token));

        var input = await http.GetStringAsync(DataUrl(host, "run/1", "a&b", "input"), Token);
        Assert.StartsWith("{\n  \"url\" : \"<b>x</b>\",\n  \"blob\" : \"xxx", input, StringComparison.Ordinal);
        Assert.EndsWith(" more characters)", input, StringComparison.Ordinal);
        Assert.True(input.Length < PageRenderer.MaxDataCharacters + 100);
    }

    [Theory]
    [InlineData("run/1", "a&b", "secrets", HttpStatusCode.BadRequest)]
    [InlineData("run/1", "", "input", HttpStatusCode.BadRequest)]
    [InlineData("run/1", "no such task", "input", HttpStatusCode.NotFound)]
    [InlineData("no such run", "a&b", "input", HttpStatusCode.NotFound)]
    [InlineData("run/1", "a&b", "checkpoint", HttpStatusCode.NotFound)]
    public async Task A_part_that_is_not_there_or_not_asked_for_properly_gets_an_error_not_data(string run, string task, string part, HttpStatusCode expected)
    {
        var (container, _) = await context.Client.GetOrCreateTaskContainerAsync("run/1", Token);
        await container.AddTaskAsync("a&b", new TaskOptions { TaskData = new BsonDocument("url", "x") }, Token);
        var host = await context.StartHostAsync();
        using var response = await http.GetAsync(DataUrl(host, run, task, part), Token);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
    }

    private static string DataUrl(DashboardHost host, string run, string task, string part) =>
        $"{host.Url}data?run={Uri.EscapeDataString(run)}&task={Uri.EscapeDataString(task)}&part={part}";
}
