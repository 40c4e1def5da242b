using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace PersistentTaskStatus.Dashboard.Tests.Infrastructure;

/// <summary>
/// A browser page that records everything that must never happen on the dashboard: a console error, an uncaught
/// script error, a Content-Security-Policy violation (reported by a <c>securitypolicyviolation</c> listener that the
/// browser installs before any page script runs) and a dialog (an <c>alert</c> from injected script). Every test
/// ends with <see cref="AssertCleanAsync"/>.
/// </summary>
public sealed class PageProbe : IAsyncDisposable
{
    private const string ViolationListener =
        "document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));";

    private readonly ConcurrentQueue<string> problems = new();
    private readonly ConcurrentQueue<IResponse> responses = new();

    private PageProbe(IBrowserContext context, IPage page)
    {
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Enqueue($"console error: {message.Text}");
            }
        };
        page.PageError += (_, error) => problems.Enqueue($"page error: {error}");
        page.Dialog += (_, dialog) =>
        {
            problems.Enqueue($"dialog ({dialog.Type}): {dialog.Message}");
            _ = dialog.DismissAsync();
        };
        page.Response += (_, response) => responses.Enqueue(response);
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>Every response the page received (documents, assets, the event stream, fetches).</summary>
    public IReadOnlyCollection<IResponse> Responses => responses;

    public IReadOnlyCollection<string> Problems => problems;

    /// <summary>A page in a context of its own (own cookies, own connections), optionally in dark mode.</summary>
    public static async Task<PageProbe> OpenAsync(IBrowser browser, bool dark = false, int width = 1360, int height = 900)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ColorScheme = dark ? ColorScheme.Dark : ColorScheme.Light,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-US",
        });
        // Generous: this machine is often busy, and a wait on a condition costs nothing when it holds early.
        context.SetDefaultTimeout(120_000);
        context.SetDefaultNavigationTimeout(120_000);
        await context.AddInitScriptAsync(ViolationListener);
        var page = await context.NewPageAsync();
        return new PageProbe(context, page);
    }

    /// <summary>Goes to <paramref name="url"/> and waits until the page says its live updates are connected.</summary>
    public async Task GotoLiveAsync(string url)
    {
        var response = await Page.GotoAsync(url);
        Assert.NotNull(response);
        Assert.True(response.Ok, $"GET {url} answered {response.Status}");
        await WaitForLiveAsync();
    }

    public Task WaitForLiveAsync() =>
        Page.Locator("[data-status=\"live\"]").WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });

    /// <summary>The keys (run or task names) of the table's rows, in page order, hidden ones included.</summary>
    public Task<string[]> RowKeysAsync() =>
        Page.Locator("tbody[data-rows] tr[data-key]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.key)");

    /// <summary>The row of that key (a run's or a task's name, matched exactly, whatever characters it holds).</summary>
    public ILocator Row(string key) => Page.Locator($"tbody[data-rows] tr[data-key=\"{CssString(key)}\"]");

    /// <summary>The value of the progress bar in the row of that key.</summary>
    public Task<string?> ProgressOfAsync(string key) => Row(key).Locator("progress").GetAttributeAsync("value");

    private static string CssString(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\a ", StringComparison.Ordinal);

    /// <summary>Saves a screenshot of the whole page under the test output.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }

    /// <summary>Fails with every problem recorded: console errors, script errors, CSP violations, dialogs.</summary>
    public async Task AssertCleanAsync()
    {
        // Let queued console messages arrive before judging.
        await Page.EvaluateAsync("() => new Promise(r => setTimeout(r, 0))");
        Assert.True(problems.IsEmpty, "The page had problems:\n" + string.Join("\n", problems));
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();
}
