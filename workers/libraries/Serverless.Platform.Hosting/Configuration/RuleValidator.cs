using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Serverless.Platform.Configuration;

/// <summary>
/// Options validation from a function that lists every problem in words an operator can act on.
/// All problems are reported at once, at start (<c>ValidateOnStart</c>), not at the first request.
/// </summary>
public sealed class RuleValidator<TOptions>(Func<TOptions, IEnumerable<string>> rules) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var errors = rules(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <remarks>
/// Binding stays at each call site (<c>AddOptions&lt;T&gt;().Bind(section)</c>) with its concrete type:
/// the configuration binding source generator replaces those calls with generated code, where a
/// generic helper would fall back to the reflection binder (type converters and emitted property
/// accessors, tens of milliseconds of every cold start).
/// </remarks>
public static class RuleValidation
{
    /// <summary>Validates the options at start with <paramref name="rules"/>.</summary>
    public static OptionsBuilder<TOptions> ValidateRules<TOptions>(
        this OptionsBuilder<TOptions> options, Func<TOptions, IEnumerable<string>> rules)
        where TOptions : class
    {
        options.Services.AddSingleton<IValidateOptions<TOptions>>(new RuleValidator<TOptions>(rules));
        return options.ValidateOnStart();
    }
}
