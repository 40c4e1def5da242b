using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Http;

/// <summary>The reset endpoint on the wire: origin checks with a valid token, and the form post that works without script.</summary>
public sealed partial class ResetHttpTests : IAsyncDisposable
{
    private const string Run = "feed-import:2026-11-28T16:00Z";
    private readonly DashboardTestContext context;
    private readonly HttpClient http;

    public ResetHttpTests(MongoFixture fixture)
    {
        context = new DashboardTestContext(fixture, typeof(ResetHttpTests));

        // Keeps the antiforgery cookie as a browser would; redirects are checked, not followed.
        http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false });
    }

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await context.DisposeAsync();
    }

    [Theory]
    [InlineData("cross-site", null, "the browser says the request is cross-site")]
    [InlineData("same-site", null, "the browser says the request is same-site")]
    [InlineData("none", null, "the browser says the request is none")]
    [InlineData(null, "http://evil.example", "it comes from http://evil.example, not http://127.0.0.1:")]
    [InlineData("same-origin", "http://evil.example", "it comes from http://evil.example")]
    [InlineData(null, "null", "its origin is hidden and the browser did not say it is same-origin")]
    public async Task A_post_from_another_origin_is_refused_with_403_even_with_a_valid_token_and_writes_nothing(string? fetchSite, string? origin, string reason)
    {
        await context.FailedRunAsync(Run);
        var before = await context.RawAsync(Run);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        var token = await TokenAsync(host);

        using var response = await PostAsync(host, token, "download", fetchSite, origin, json: true);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement;
        Assert.False(answer.GetProperty("ok").GetBoolean());
        Assert.Contains(reason, answer.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await context.RawAsync(Run));
    }

    [Fact]
    public async Task A_form_post_without_script_resets_the_task_and_sees_the_run_again()
    {
        await context.FailedRunAsync(Run);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        var token = await TokenAsync(host);

        // What a browser sends for a plain form post from a page whose referrer policy is no-referrer.
        using var response = await PostAsync(host, token, "download", fetchSite: "same-origin", origin: "null", json: false);
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("run?name=" + Uri.EscapeDataString(Run), response.Headers.Location!.OriginalString);
        var run = await context.Client.GetTaskContainerAsync(Run, Token);
        Assert.Equal(TaskRunStatus.Pending, run!.Tasks.Single(t => t.Name == "download").Status);
        Assert.False(run.HasFailed);
    }

    [Fact]
    public async Task A_refused_reset_without_script_gets_a_page_with_the_librarys_message_and_writes_nothing()
    {
        await context.FailedRunAsync(Run);
        var before = await context.RawAsync(Run);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        var token = await TokenAsync(host);

        using var response = await PostAsync(host, token, "report", fetchSite: "same-origin", origin: host.BaseAddress, json: false);
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        var page = await response.Content.ReadAsStringAsync(Token);
        Assert.Contains("<h1>Task not reset</h1>", page, StringComparison.Ordinal);
        Assert.Contains("only a failed task can be reset.", page, StringComparison.Ordinal);
        Assert.Equal(before, await context.RawAsync(Run));

        using var missing = await PostAsync(host, token, "no-such-task", fetchSite: "same-origin", origin: host.BaseAddress, json: true);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(before, await context.RawAsync(Run));
    }

    [Fact]
    public async Task Reset_answers_only_POST()
    {
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        using var response = await http.GetAsync(host.Url + "reset?run=x&task=y", Token);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    private async Task<string> TokenAsync(DashboardHost host)
    {
        var page = await http.GetStringAsync(host.RunUrl(Run), Token);
        return TokenInput().Match(page).Groups["token"].Value is { Length: > 0 } token
            ? token
            : throw new InvalidOperationException("The run's page carries no antiforgery token.");
    }

    private async Task<HttpResponseMessage> PostAsync(DashboardHost host, string token, string task, string? fetchSite, string? origin, bool json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url + "reset")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["run"] = Run,
                ["task"] = task,
            }),
        };
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (json)
        {
            request.Headers.Accept.ParseAdd("application/json");
        }

        return await http.SendAsync(request, Token);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"(?<token>[^\"]+)\"")]
    private static partial Regex TokenInput();
}
