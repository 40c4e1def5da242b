using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PersistentTaskStatus.Dashboard.Hosting;
using PersistentTaskStatus.Dashboard.Tests.Infrastructure;
using PersistentTaskStatus.TestInfrastructure;
using static PersistentTaskStatus.Dashboard.Tests.Infrastructure.DashboardTestContext;

namespace PersistentTaskStatus.Dashboard.Tests.Http;

/// <summary>The dashboard's own CSS, script and icon: embedded, under content-hash names, cached for good, with ETags.</summary>
public sealed partial class AssetTests(MongoFixture fixture) : IAsyncDisposable
{
    private readonly DashboardTestContext context = new(fixture, typeof(AssetTests));
    private readonly HttpClient http = new();

    public async ValueTask DisposeAsync()
    {
        http.Dispose();
        await context.DisposeAsync();
    }

    [Fact]
    public async Task Each_asset_the_page_names_is_served_under_its_content_hash_for_good_and_a_revalidation_gets_304()
    {
        var host = await context.StartHostAsync();
        var page = await http.GetStringAsync(host.Url, Token);
        var names = AssetReference().Matches(page).Select(m => m.Groups["name"].Value).Distinct().ToList();
        Assert.Equal(3, names.Count);

        foreach (var name in names)
        {
            using var response = await http.GetAsync(host.Url + "assets/" + name, Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var content = await response.Content.ReadAsByteArrayAsync(Token);
            var hash = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
            Assert.Contains($".{hash[..16]}.", name, StringComparison.Ordinal);

            var etag = response.Headers.ETag!;
            Assert.False(etag.IsWeak);
            Assert.Equal($"\"{hash}\"", etag.Tag);
            Assert.True(response.Headers.CacheControl!.Public);
            Assert.Equal(TimeSpan.FromDays(365), response.Headers.CacheControl.MaxAge);
            Assert.Contains("immutable", response.Headers.CacheControl.ToString(), StringComparison.Ordinal);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal(
                Path.GetExtension(name) switch { ".css" => "text/css", ".js" => "text/javascript", _ => "image/svg+xml" },
                response.Content.Headers.ContentType!.MediaType);

            foreach (var ifNoneMatch in new[] { etag.Tag, "W/" + etag.Tag, "\"other\", " + etag.Tag, "*" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, host.Url + "assets/" + name);
                request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
                using var revalidated = await http.SendAsync(request, Token);
                Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
                Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync(Token));
                Assert.Equal(etag, revalidated.Headers.ETag);
            }

            using var changed = new HttpRequestMessage(HttpMethod.Get, host.Url + "assets/" + name);
            changed.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"an-older-version\""));
            using var fresh = await http.SendAsync(changed, Token);
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
            Assert.Equal(content, await fresh.Content.ReadAsByteArrayAsync(Token));
        }
    }

    [Theory]
    [InlineData("dashboard.css")]
    [InlineData("dashboard.0000000000000000.css")]
    [InlineData("..%2F..%2Fappsettings.json")]
    public async Task A_name_that_is_not_a_current_assets_hashed_name_gets_404(string name)
    {
        var host = await context.StartHostAsync();
        using var response = await http.GetAsync(host.Url + "assets/" + name, Token);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [GeneratedRegex("(?:href|src)=\"assets/(?<name>[^\"]+)\"")]
    private static partial Regex AssetReference();
}
