namespace PersistentTaskStatus.Testing;

/// <summary>Settings of a <see cref="TaskStatusTestEnvironment"/>.</summary>
public sealed class TaskStatusTestEnvironmentOptions
{
    /// <summary>The name of the environment variable that names a MongoDB to test against.</summary>
    public const string ConnectionStringVariable = "MONGODB_URI";

    /// <summary>
    /// The MongoDB to test against. When null, the environment starts an in-process test server of its own, whose
    /// clock <see cref="TaskStatusTestEnvironment.AdvanceTime"/> can move. Against a real MongoDB every environment
    /// still works in a database of its own, but time cannot be skipped.
    /// </summary>
    /// <value>The value of the <c>MONGODB_URI</c> environment variable when it is set, else null.</value>
    public string? ConnectionString { get; set; } = NullIfBlank(Environment.GetEnvironmentVariable(ConnectionStringVariable));

    /// <summary>
    /// Changes the options of <see cref="TaskStatusTestEnvironment.Client"/> (for example <see cref="TaskStatusOptions.StallAfter"/>
    /// or retention) before it is created. <see cref="TaskStatusOptions.TimeProvider"/> is then set to the
    /// environment's clock, and the database to the environment's.
    /// </summary>
    /// <value>Null (the defaults) by default.</value>
    public Action<TaskStatusOptions>? ConfigureClient { get; set; }

    private static string? NullIfBlank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
