using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using PersistentTaskStatus.Dashboard.Assets;
using PersistentTaskStatus.Dashboard.Hosting;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Http;

/// <summary>Safe by default: without an authorization policy, only this machine's requests that came through no proxy.</summary>
public sealed class LocalOnlyTests(MongoFixture fixture) : IAsyncDisposable
{
    private const string Run = "feed-import:2026-11-28T16:00Z";
    private readonly DashboardTestContext context = new(fixture, typeof(LocalOnlyTests));
    private readonly HttpClient http = new(new HttpClientHandler { AllowAutoRedirect = false });

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await context.DisposeAsync();
    }

    [Theory]
    [InlineData("Forwarded", "for=203.0.113.7;proto=https")]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("X-Forwarded-Host", "tasks.example.com")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    public async Task A_request_with_a_forwarding_header_is_refused_with_403_and_an_explanation_on_every_endpoint_and_writes_nothing(string header, string value)
    {
        await context.FailedRunAsync(Run);
        var before = await context.RawAsync(Run);
        var host = await context.StartHostAsync(new HostSettings { Dashboard = o => o.AllowReset = true });
        string[] gets = [host.Url, host.RunUrl(Run), host.Url + "events?run=x", host.Url + "assets/" + AssetStore.Css.FileName];
        foreach (var url in gets)
        {
            using var plain = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, Token);
            Assert.True(plain.IsSuccessStatusCode, $"GET {url} from this machine answered {plain.StatusCode}");

            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation(header, value);
            using var forwarded = await http.SendAsync(request, Token);
            await AssertRefusedAsync(forwarded, $"the forwarding header {header}");
        }

        using var reset = new HttpRequestMessage(HttpMethod.Post, host.Url + "reset")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["run"] = Run, ["task"] = "download" }),
        };
        reset.Headers.TryAddWithoutValidation(header, value);
        await AssertRefusedAsync(await http.SendAsync(reset, Token), $"the forwarding header {header}");
        Assert.Equal(before, await context.RawAsync(Run));
    }

    [Theory]
    [InlineData("203.0.113.7", false)]
    [InlineData("2001:db8::7", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    public async Task Only_a_loopback_remote_address_is_served_when_the_endpoints_carry_no_policy(string remote, bool served)
    {
        await context.ContainerAsync(Run, TaskRunStatus.Pending);
        var host = await context.StartHostAsync();
        var (status, body) = await InvokeAsync(host, "PersistentTaskStatus dashboard: runs", IPAddress.Parse(remote));
        if (served)
        {
            Assert.Equal(StatusCodes.Status200OK, status);
            Assert.Contains("<h1>Runs</h1>", body, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(StatusCodes.Status403Forbidden, status);
            Assert.Contains($"it comes from {IPAddress.Parse(remote)}, not from this machine", body, StringComparison.Ordinal);
            Assert.Contains("RequireAuthorization", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_request_whose_remote_address_is_unknown_is_refused()
    {
        var host = await context.StartHostAsync();
        var (status, body) = await InvokeAsync(host, "PersistentTaskStatus dashboard: runs", remote: null);
        Assert.Equal(StatusCodes.Status403Forbidden, status);
        Assert.Contains("its remote address is unknown", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_authorization_policy_the_policy_decides_whatever_the_address_or_proxy()
    {
        await context.ContainerAsync(Run, TaskRunStatus.Pending);
        var host = await context.StartHostAsync(new HostSettings
        {
            Services = HeaderAuthentication.Register,
            Pipeline = app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            },
            Conventions = dashboard => dashboard.RequireAuthorization("ops"),
        });

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(host.Url, user: null, role: null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(host.Url, user: "mallory", role: null)).StatusCode);
        using var allowed = await SendAsync(host.Url, user: "alice", role: "ops");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains(Run, await allowed.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        // From another machine, the rule of the policy alone applies (the authorization middleware ran before).
        var (status, _) = await InvokeAsync(host, "PersistentTaskStatus dashboard: runs", IPAddress.Parse("203.0.113.7"));
        Assert.Equal(StatusCodes.Status200OK, status);
    }

    [Fact]
    public async Task Allowing_anonymous_access_on_top_of_a_policy_brings_the_local_only_rule_back()
    {
        var host = await context.StartHostAsync(new HostSettings
        {
            Services = HeaderAuthentication.Register,
            Pipeline = app =>
            {
                app.UseAuthentication();
                app.UseAuthorization();
            },
            Conventions = dashboard => dashboard.RequireAuthorization("ops").AllowAnonymous(),
        });

        await AssertRefusedAsync(await SendAsync(host.Url, user: "alice", role: "ops"), "the forwarding header X-Forwarded-For");
    }

    private async Task<HttpResponseMessage> SendAsync(string url, string? user, string? role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        if (role is not null)
        {
            request.Headers.Add("X-Test-Role", role);
        }

        return await http.SendAsync(request, Token);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string reason)
    {
        using (response)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            var body = await response.Content.ReadAsStringAsync(Token);
            Assert.StartsWith("403 Forbidden: this dashboard serves local requests only.", body, StringComparison.Ordinal);
            Assert.Contains(reason, body, StringComparison.Ordinal);
            Assert.Contains("app.MapPersistentTaskStatusDashboard(\"/tasks\").RequireAuthorization(\"ops\");", body, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Runs one of the dashboard's real endpoints (as routing found it, with its metadata) on a request from
    /// <paramref name="remote"/>: the machine has no other address that a test may connect from.
    /// </summary>
    private static async Task<(int Status, string Body)> InvokeAsync(DashboardHost host, string endpointName, IPAddress? remote)
    {
        var endpoint = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.Single(e => e.DisplayName == endpointName);
        using var scope = host.Services.CreateScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Connection.RemoteIpAddress = remote;
        http.Request.Method = "GET";
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("127.0.0.1");
        http.Request.Path = "/tasks/";
        http.Response.Body = new MemoryStream();
        http.SetEndpoint(endpoint);
        await endpoint.RequestDelegate!(http);
        http.Response.Body.Position = 0;
        return (http.Response.StatusCode, await new StreamReader(http.Response.Body).ReadToEndAsync(Token));
    }
}
