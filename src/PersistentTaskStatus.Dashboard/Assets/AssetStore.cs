using System.Security.Cryptography;

namespace PersistentTaskStatus.Dashboard.Assets;

/// <summary>One embedded file: its bytes, type, content-hash file name and strong ETag.</summary>
internal sealed record Asset(string FileName, string ContentType, byte[] Content, string ETag);

/// <summary>
/// The dashboard's CSS, script and icon, embedded in this assembly (so they are served from <c>bin</c> as they are,
/// with no static web assets to publish) under file names that carry a hash of their content: a changed file gets a
/// new URL, so a URL can be cached for good.
/// </summary>
internal static class AssetStore
{
    private static readonly Dictionary<string, Asset> ByFileName = [];

    static AssetStore()
    {
        Css = Load("dashboard", "css", "text/css; charset=utf-8");
        Script = Load("dashboard", "js", "text/javascript; charset=utf-8");
        Icon = Load("icon", "svg", "image/svg+xml");
    }

    public static Asset Css { get; }

    public static Asset Script { get; }

    public static Asset Icon { get; }

    /// <summary>The asset of that hashed file name, or null.</summary>
    public static Asset? Find(string fileName) => ByFileName.GetValueOrDefault(fileName);

    private static Asset Load(string stem, string extension, string contentType)
    {
        var resource = $"PersistentTaskStatus.Dashboard.{stem}.{extension}";
        using var stream = typeof(AssetStore).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded resource {resource} is missing from the dashboard's assembly.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(content)).ToLowerInvariant();
        var asset = new Asset($"{stem}.{hash[..16]}.{extension}", contentType, content, $"\"{hash}\"");
        ByFileName.Add(asset.FileName, asset);
        return asset;
    }
}
