using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Sample.Tests;

/// <summary>
/// The sample with <c>--dashboard</c>: it prints the dashboard's URL, the page answers while the run goes on and
/// shows the run, and the run still ends with its proof.
/// </summary>
public sealed partial class SampleDashboardTests(MongoFixture fixture) : IDisposable
{
    private readonly string workDirectory = Path.Combine(Path.GetTempPath(), $"pts-sample-dashboard-{Guid.NewGuid():N}");
    private readonly string databaseName = MongoFixture.DatabaseNameFor(typeof(SampleDashboardTests));

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(workDirectory))
        {
            Directory.Delete(workDirectory, recursive: true);
        }

        fixture.Client.DropDatabase(databaseName);
    }

    [Fact]
    public async Task With_dashboard_the_sample_prints_the_dashboards_url_and_the_page_shows_the_run_while_it_goes_on()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "PersistentTaskStatus.Sample" + (OperatingSystem.IsWindows() ? ".exe" : "")))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            Environment = { ["MONGODB_URI"] = fixture.ConnectionString },
        };

        // Slow downloads, so that the run lasts well beyond the page's fetch.
        string[] arguments = ["--files", "2", "--size", "1", "--speed", "0.2", "--failure-rate", "0", "--kills", "0", "--workers", "2", "--seed", "3", "--database", databaseName, "--work-dir", workDirectory, "--dashboard", "0"];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var errors = process.StandardError.ReadToEndAsync(Token);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            string? url = null;
            while (url is null && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.AppendLine(line);
                url = DashboardLine().Match(line) is { Success: true } match ? match.Groups["url"].Value : null;
            }

            Assert.True(url is not null, $"The sample printed no dashboard URL:\n{output}");
            using var http = new HttpClient();
            using var page = await http.GetAsync(url, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
            var html = await page.Content.ReadAsStringAsync(timeout.Token);
            Assert.Contains("<title>Runs · PersistentTaskStatus sample</title>", html, StringComparison.Ordinal);
            var run = RunLink().Match(html);
            Assert.True(run.Success, $"The runs list shows no run:\n{html}");
            using var runPage = await http.GetAsync(url + run.Groups["link"].Value, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, runPage.StatusCode);
            Assert.Contains("check-feed", await runPage.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);

            output.Append(await process.StandardOutput.ReadToEndAsync(timeout.Token));
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = output + await errors;
        TestContext.Current.SendDiagnosticMessage(text);
        Assert.True(process.ExitCode == 0, $"The sample exited with {process.ExitCode}:\n{text}");
        Assert.Contains("Proof: nothing was lost or done twice.", text, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^Dashboard: (?<url>http://127\.0\.0\.1:\d+/tasks/) ")]
    private static partial Regex DashboardLine();

    [GeneratedRegex("href=\"(?<link>run\\?name=feed-import[^\"]+)\"")]
    private static partial Regex RunLink();
}
