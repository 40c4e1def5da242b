using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using PersistentTaskStatus.Dashboard.Assets;
using PersistentTaskStatus.Dashboard.Diagnostics;
using PersistentTaskStatus.Dashboard.Live;
using PersistentTaskStatus.Dashboard.Rendering;

namespace PersistentTaskStatus.Dashboard.Hosting;

/// <summary>
/// The dashboard's request handlers. Every one of them goes through <see cref="Guarded"/>: the security headers
/// first, then the local-only rule (<see cref="LocalOnly"/>) unless the endpoints require authorization.
/// </summary>
internal sealed class DashboardEndpoints(
    TaskStatusClient client,
    SharedWatch watch,
    IOptions<DashboardOptions> options,
    IAntiforgery antiforgery,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory)
{
    /// <summary>The Content-Security-Policy of every response: only the dashboard's own files, no inline code, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'";

    private const string HtmlType = "text/html; charset=utf-8";

    private readonly ILogger logger = loggerFactory.CreateLogger(Log.Category);

    private DashboardOptions Options => options.Value;

    private TimeProvider Time => client.Options.TimeProvider;

    /// <summary>Wraps a handler in the security headers and the local-only rule.</summary>
    public static RequestDelegate Guarded(Func<DashboardEndpoints, HttpContext, Task> handler) => async context =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        var endpoints = context.RequestServices.GetRequiredService<DashboardEndpoints>();
        if (LocalOnly.Refusal(context) is { } reason)
        {
            Log.RequestRefused(endpoints.logger, context.Connection.RemoteIpAddress?.ToString(), context.Request.Path, reason);
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(LocalOnly.Explanation(reason), context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await handler(endpoints, context).ConfigureAwait(false);
    };

    /// <summary>GET the dashboard's folder: the runs list (after a redirect that adds the folder's trailing slash).</summary>
    public async Task RunsAsync(HttpContext context)
    {
        var full = (context.Request.PathBase + context.Request.Path).Value ?? "/";
        if (!full.EndsWith('/'))
        {
            // Every URL of the pages is relative to the folder, so the folder needs its slash; the redirect is
            // relative too, to stay right behind a proxy that maps the path.
            var segment = full[(full.LastIndexOf('/') + 1)..];
            context.Response.Redirect(new PathString("/" + segment).ToUriComponent()[1..] + "/" + context.Request.QueryString);
            return;
        }

        RunsFilter filter;
        try
        {
            filter = RunsFilter.Parse(context.Request.Query);
        }
        catch (FormatException ex)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Filters not understood", ex.Message).ConfigureAwait(false);
            return;
        }

        var renderer = Renderer();
        TaskContainerPage page;
        try
        {
            page = await client.QueryTaskContainersAsync(filter.ToQuery(Options.PageSize, renderer.Now), context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Page link not valid", "This page link is not one the dashboard made (its 'after' part is not understood). Start again from the first page.").ConfigureAwait(false);
            return;
        }

        var position = page.Containers.Count == 0 ? 0 : Formats.UnixMilliseconds(page.Containers.Max(c => c.UpdatedAt));
        await HtmlAsync(context, StatusCodes.Status200OK, renderer.RunsPage(filter, page, position)).ConfigureAwait(false);
    }

    /// <summary>GET <c>run?name=</c>: one run and all its tasks.</summary>
    public async Task RunAsync(HttpContext context)
    {
        var name = context.Request.Query["name"].ToString();
        if (name.Length == 0)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "No run named", "The link names no run (its 'name' part is missing).").ConfigureAwait(false);
            return;
        }

        TaskContainer? container;
        try
        {
            container = await client.GetTaskContainerAsync(name, context.RequestAborted).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            await ProblemAsync(context, StatusCodes.Status400BadRequest, "Not a run name", ex.Message).ConfigureAwait(false);
            return;
        }

        if (container is null)
        {
            await ProblemAsync(context, StatusCodes.Status404NotFound, "No such run", $"There is no run named '{name}': it may have been deleted, or removed by retention.").ConfigureAwait(false);
            return;
        }

        ResetToken? token = null;
        if (Options.AllowReset)
        {
            var tokens = antiforgery.GetAndStoreTokens(context);
            token = new ResetToken(tokens.FormFieldName, tokens.RequestToken!);
        }

        await HtmlAsync(context, StatusCodes.Status200OK, Renderer().RunPage(container, token)).ConfigureAwait(false);
    }

    /// <summary>GET <c>data?run=&amp;task=&amp;part=input|checkpoint</c>: a task's data or checkpoint as text, when its section is opened.</summary>
    public async Task DataAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var (run, task, part) = (query["run"].ToString(), query["task"].ToString(), query["part"].ToString());
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (run.Length == 0 || task.Length == 0 || part is not ("input" or "checkpoint"))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("Name the run, the task and the part (input or checkpoint).", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        TaskState? state = null;
        try
        {
            var container = await client.GetTaskContainerAsync(run, context.RequestAborted).ConfigureAwait(false);
            state = container?.Tasks.FirstOrDefault(t => t.Name == task);
        }
        catch (ArgumentException)
        {
        }

        var data = part == "input" ? state?.TaskData : state?.ProcessingData;
        if (data is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.Response.WriteAsync($"Task '{task}' of run '{run}' has no {part} (any more).", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        await context.Response.WriteAsync(PageRenderer.DataText(data), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>GET <c>events</c>: the live updates of the runs list (its filters) or of one run (<c>run=</c>).</summary>
    public async Task EventsAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var position = ParsePosition(context.Request.Headers["Last-Event-ID"].ToString()) ?? ParsePosition(query["v"].ToString());
        Feed feed;
        if (query["run"].ToString() is { Length: > 0 } run)
        {
            feed = new RunFeed(client, Options, Time, run, position);
        }
        else
        {
            try
            {
                feed = new RunsFeed(client, Options, Time, RunsFilter.Parse(query), position);
            }
            catch (FormatException ex)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync(ex.Message, context.RequestAborted).ConfigureAwait(false);
                return;
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        try
        {
            await EventStream.RunAsync(context, watch, feed, Options, Time, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The page went away, or the application is stopping: the browser reconnects and resumes.
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
    }

    /// <summary>POST <c>reset</c>: the operator's reset of a failed task, when allowed, same-origin and with the antiforgery token.</summary>
    public async Task ResetAsync(HttpContext context)
    {
        var user = context.User.Identity?.Name is { Length: > 0 } n ? n : "an anonymous local user";
        if (!Options.AllowReset)
        {
            await ResetAnswerAsync(context, StatusCodes.Status403Forbidden, "Resetting tasks is turned off for this dashboard (DashboardOptions.AllowReset).").ConfigureAwait(false);
            return;
        }

        if (CrossOrigin(context.Request) is { } crossOrigin)
        {
            await ResetAnswerAsync(context, StatusCodes.Status403Forbidden, $"Refused: {crossOrigin}. Only the dashboard's own pages can reset a task.").ConfigureAwait(false);
            return;
        }

        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            await ResetAnswerAsync(context, StatusCodes.Status400BadRequest, "The form's antiforgery token is missing or not valid: reload the page and try again.").ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var run = form["run"].ToString();
        var task = form["task"].ToString();
        if (run.Length == 0 || task.Length == 0)
        {
            await ResetAnswerAsync(context, StatusCodes.Status400BadRequest, "The form must name the run and the task to reset.").ConfigureAwait(false);
            return;
        }

        string? refusal;
        int status;
        try
        {
            var container = await client.GetTaskContainerAsync(run, context.RequestAborted).ConfigureAwait(false)
                ?? throw new TaskContainerNotFoundException(run, task);
            await container.ResetTaskAsync(task, context.RequestAborted).ConfigureAwait(false);
            Log.TaskReset(logger, task, run, user, context.Connection.RemoteIpAddress?.ToString());
            if (WantsJson(context.Request))
            {
                await JsonAsync(context, StatusCodes.Status200OK, ok: true, $"Task '{task}' was reset: it is pending again, with its attempts counted afresh.").ConfigureAwait(false);
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status303SeeOther;
                context.Response.Headers.Location = PageRenderer.RunLink(run);
            }

            return;
        }
        catch (TaskStateException ex)
        {
            // For example a task that has not failed, or one that failed only because its dependency failed.
            (status, refusal) = (StatusCodes.Status409Conflict, ex.Message);
        }
        catch (Exception ex) when (ex is TaskNotFoundException or TaskContainerNotFoundException)
        {
            (status, refusal) = (StatusCodes.Status404NotFound, ex.Message);
        }
        catch (ArgumentException ex)
        {
            (status, refusal) = (StatusCodes.Status400BadRequest, ex.Message);
        }

        Log.ResetRefused(logger, task, run, user, refusal);
        await ResetAnswerAsync(context, status, refusal).ConfigureAwait(false);
    }

    /// <summary>GET <c>assets/{file}</c>: an embedded file under its content-hash name, cached for good, with its ETag.</summary>
    public static async Task AssetAsync(HttpContext context)
    {
        var asset = AssetStore.Find(context.Request.RouteValues["file"] as string ?? "");
        if (asset is null)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var headers = context.Response.Headers;
        headers.ETag = asset.ETag;
        headers.CacheControl = "public, max-age=31536000, immutable";
        var ifNoneMatch = context.Request.GetTypedHeaders().IfNoneMatch;
        var etag = EntityTagHeaderValue.Parse(asset.ETag);
        if (ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(etag, useStrongComparison: false)))
        {
            context.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        context.Response.ContentType = asset.ContentType;
        context.Response.ContentLength = asset.Content.Length;
        await context.Response.Body.WriteAsync(asset.Content, context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// Why a POST is not from the dashboard's own pages, or null. <c>Sec-Fetch-Site</c> (sent by every current
    /// browser) must say same-origin; an <c>Origin</c> must be this request's scheme and host. The pages' referrer
    /// policy is no-referrer, under which a browser's form post says <c>Origin: null</c>: that is accepted only
    /// together with <c>Sec-Fetch-Site: same-origin</c>. A client that is not a browser sends neither and still
    /// needs the antiforgery token.
    /// </summary>
    internal static string? CrossOrigin(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && !string.Equals(site, "same-origin", StringComparison.OrdinalIgnoreCase))
        {
            return $"the browser says the request is {site}";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        if (origin == "null")
        {
            return site.Length > 0 ? null : "its origin is hidden and the browser did not say it is same-origin";
        }

        var expected = $"{request.Scheme}://{request.Host}";
        return string.Equals(origin, expected, StringComparison.OrdinalIgnoreCase) ? null : $"it comes from {origin}, not {expected}";
    }

    private static bool WantsJson(HttpRequest request) =>
        request.Headers.Accept.ToString().Contains("application/json", StringComparison.OrdinalIgnoreCase);

    private static DateTime? ParsePosition(string text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0
            ? DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(milliseconds, 253402300799999)).UtcDateTime
            : null;

    private PageRenderer Renderer() => new(Options, Time.GetUtcNow().UtcDateTime);

    private async Task ResetAnswerAsync(HttpContext context, int status, string message)
    {
        if (WantsJson(context.Request))
        {
            await JsonAsync(context, status, ok: false, message).ConfigureAwait(false);
        }
        else
        {
            await ProblemAsync(context, status, "Task not reset", message).ConfigureAwait(false);
        }
    }

    private static async Task JsonAsync(HttpContext context, int status, bool ok, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { ok, message }, FeedJson.Options), context.RequestAborted).ConfigureAwait(false);
    }

    private Task ProblemAsync(HttpContext context, int status, string heading, string message) =>
        HtmlAsync(context, status, Renderer().Problem(heading, message));

    private static Task HtmlAsync(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = HtmlType;
        return context.Response.WriteAsync(html, context.RequestAborted);
    }
}
