using System.Globalization;

namespace PersistentTaskStatus.TestServer.Engine.Versions;

/// <summary>
/// The MongoDB release the server presents (<see cref="MongoTestServerOptions.ServerVersion"/>): the wire version in
/// <c>hello</c>, <c>version</c> and <c>versionArray</c> in <c>buildInfo</c>, the operators and stages it knows, and
/// the featureCompatibilityVersion it starts with.
/// </summary>
internal readonly record struct ServerVersion(int Major, int Minor, int Patch) : IComparable<ServerVersion>
{
    /// <summary>
    /// The wire version of each release (MongoDB's <c>wire_version.h</c>, the drivers' <c>WireVersion</c>); a release
    /// outside this table is refused rather than guessed.
    /// </summary>
    private static readonly Dictionary<(int Major, int Minor), int> WireVersions = new()
    {
        [(4, 4)] = 9,
        [(5, 0)] = 13,
        [(5, 1)] = 14,
        [(5, 2)] = 15,
        [(5, 3)] = 16,
        [(6, 0)] = 17,
        [(6, 1)] = 18,
        [(6, 2)] = 19,
        [(6, 3)] = 20,
        [(7, 0)] = 21,
        [(7, 1)] = 22,
        [(7, 2)] = 23,
        [(7, 3)] = 24,
        [(8, 0)] = 25,
    };

    /// <summary>The release presented by default.</summary>
    public static ServerVersion Default { get; } = new(7, 0, 0);

    /// <summary>A release after every one this server gates on: what the engine assumes outside a command.</summary>
    public static ServerVersion Latest { get; } = new(int.MaxValue, 0, 0);

    /// <summary>The wire version that <c>hello</c> reports as <c>maxWireVersion</c>.</summary>
    public int WireVersion => WireVersions[(Major, Minor)];

    /// <summary>The featureCompatibilityVersion of this release (<c>major.minor</c>), the one a new deployment starts with.</summary>
    public string FeatureCompatibilityVersion => $"{Major}.{Minor}";

    /// <summary>
    /// The featureCompatibilityVersion values <c>setFeatureCompatibilityVersion</c> accepts on this release: its own
    /// and the last long-term-support release's (4.2 on 4.4, 4.4 on 5.0, 5.0 on 5.1 to 6.0, 6.0 on 7.0 ...).
    /// </summary>
    public IReadOnlyList<string> AllowedFeatureCompatibilityVersions => (Major, Minor) switch
    {
        (4, _) => [FeatureCompatibilityVersion, "4.2"],
        (5, 0) => [FeatureCompatibilityVersion, "4.4"],
        (_, 0) => [FeatureCompatibilityVersion, $"{Major - 1}.0"],
        _ => [FeatureCompatibilityVersion, $"{Major}.0"],
    };

    /// <summary>Parses <c>major.minor[.patch]</c>, for a release from 4.4 to 8.0.</summary>
    /// <exception cref="ArgumentException">The text is not a version of a release the server can present.</exception>
    public static ServerVersion Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('.');
        if (parts.Length is < 2 or > 3 ||
            !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new ArgumentException($"'{text}' is not a MongoDB version of the form major.minor.patch.", nameof(text));
        }

        var numbers = parts.Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var version = new ServerVersion(numbers[0], numbers[1], numbers.Length == 3 ? numbers[2] : 0);
        if (!WireVersions.ContainsKey((version.Major, version.Minor)))
        {
            throw new ArgumentException(
                $"The test server presents MongoDB 4.4 to 8.0 (releases {string.Join(", ", WireVersions.Keys.Select(k => $"{k.Major}.{k.Minor}"))}), not {text}.",
                nameof(text));
        }

        return version;
    }

    /// <summary>Parses a featureCompatibilityVersion value (<c>major.minor</c>) into a comparable version.</summary>
    public static ServerVersion OfFeatureCompatibility(string fcv)
    {
        var parts = fcv.Split('.');
        return new ServerVersion(int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), 0);
    }

    public int CompareTo(ServerVersion other) =>
        Major != other.Major ? Major.CompareTo(other.Major)
        : Minor != other.Minor ? Minor.CompareTo(other.Minor)
        : Patch.CompareTo(other.Patch);

    public static bool operator <(ServerVersion left, ServerVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(ServerVersion left, ServerVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(ServerVersion left, ServerVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(ServerVersion left, ServerVersion right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
