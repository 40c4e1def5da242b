using Microsoft.Playwright;

namespace PersistentTaskStatus.Dashboard.Tests.Infrastructure;

/// <summary>
/// One headless Chromium for the browser tests: the machine's own (<c>CHROMIUM_PATH</c>, else <c>/usr/bin/chromium</c>),
/// launched through Playwright's <c>ExecutablePath</c>; Playwright never downloads a browser here. A missing browser
/// fails the tests: they are the proof that the pages work, and a skip would hide that they did not run.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>
    /// Root in a container needs no sandbox; and on a closed network Chromium's background connections (updates,
    /// sync, QUIC probes) only fail, so they are turned off.
    /// </summary>
    public static readonly IReadOnlyList<string> Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? playwright;
    private IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("The browser has not started.");

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Where the tests keep a screenshot of each page: <c>TestResults/screenshots</c> beside the test assembly.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"No browser at {ExecutablePath}. The dashboard's browser tests need Chromium: apt-get install chromium, " +
                "or set CHROMIUM_PATH to a Chromium or Chrome executable.");
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = [.. Arguments],
        });
        TestContext.Current.SendDiagnosticMessage($"Browser tests run on {ExecutablePath}, version {browser.Version}.");
    }

    public async ValueTask DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.DisposeAsync();
        }

        playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
