using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace PersistentTaskStatus.Dashboard.Hosting;

/// <summary>
/// The dashboard's default protection: when its endpoints carry no authorization requirement, it serves only
/// requests that come from this machine (a loopback address) and carry no forwarding header. A reverse proxy on the
/// same machine connects from loopback, so without that second rule every request through it would look local.
/// </summary>
internal static class LocalOnly
{
    /// <summary>The headers by which proxies pass on where a request came from.</summary>
    public static readonly IReadOnlyList<string> ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP"];

    /// <summary>Why the request is refused, or null when it may be served.</summary>
    public static string? Refusal(HttpContext context)
    {
        if (context.GetEndpoint() is { } endpoint && RequiresAuthorization(endpoint))
        {
            // The application's authorization decided already (its middleware runs before the endpoint).
            return null;
        }

        foreach (var header in ForwardingHeaders)
        {
            if (context.Request.Headers.ContainsKey(header))
            {
                return $"it carries the forwarding header {header}, so it came through a proxy";
            }
        }

        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !IsLoopback(remote))
        {
            return remote is null ? "its remote address is unknown" : $"it comes from {remote}, not from this machine";
        }

        return null;
    }

    /// <summary>The text of the 403 answer: what happened and what to do.</summary>
    public static string Explanation(string reason) =>
        $"""
        403 Forbidden: this dashboard serves local requests only.

        This request was refused because {reason}. Without an authorization policy on its endpoints, the
        PersistentTaskStatus dashboard answers only requests from this machine (a loopback address) that carry no
        forwarding header ({string.Join(", ", ForwardingHeaders)}): behind a reverse proxy every request would
        look local.

        To open it from elsewhere, require authorization on it, for example:
            app.MapPersistentTaskStatusDashboard("/tasks").RequireAuthorization("ops");
        """;

    /// <summary>Whether the endpoint requires authorization (and does not allow anonymous access after all).</summary>
    internal static bool RequiresAuthorization(Endpoint endpoint)
    {
        var metadata = endpoint.Metadata;
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return false;
        }

        return metadata.GetMetadata<IAuthorizeData>() is not null
            || metadata.GetMetadata<AuthorizationPolicy>() is not null
            || metadata.GetMetadata<IAuthorizationRequirementData>() is not null;
    }

    private static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4()));
}
