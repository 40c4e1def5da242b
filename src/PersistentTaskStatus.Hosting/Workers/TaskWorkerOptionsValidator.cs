using Microsoft.Extensions.Options;

namespace PersistentTaskStatus;

/// <summary>Checks the options of every hosted worker at start-up; each message names the option and the worker's prefix.</summary>
internal sealed class TaskWorkerOptionsValidator : IValidateOptions<TaskWorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, TaskWorkerOptions options)
    {
        var worker = $"the task worker for prefix '{options.NamePrefix}'";
        var failures = new List<string>();
        if (options.MaxDegreeOfParallelism is < 1 or > 1024)
        {
            failures.Add($"TaskWorkerOptions.MaxDegreeOfParallelism of {worker} must be from 1 to 1024 (it is {options.MaxDegreeOfParallelism}).");
        }

        if (options.LeaseDuration <= TimeSpan.Zero || options.LeaseDuration > TaskContainer.MaxLeaseDuration)
        {
            failures.Add($"TaskWorkerOptions.LeaseDuration of {worker} must be more than zero and at most {TaskContainer.MaxLeaseDuration} (it is {options.LeaseDuration}).");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"TaskWorkerOptions.PollInterval of {worker} must be more than zero (it is {options.PollInterval}).");
        }

        if (string.IsNullOrWhiteSpace(options.Owner) || options.Owner.Length > 256 || options.Owner.Contains('\0', StringComparison.Ordinal))
        {
            failures.Add($"TaskWorkerOptions.Owner of {worker} must be 1 to 256 characters, not blank, with no NUL.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
