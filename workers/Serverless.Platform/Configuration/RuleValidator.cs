using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Platform.Environments;

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

public static class RuleValidation
{
    /// <summary>Binds <typeparamref name="TOptions"/> to <paramref name="section"/> and validates it at start with <paramref name="rules"/>.</summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(
        this IServiceCollection services,
        Microsoft.Extensions.Configuration.IConfiguration configuration,
        string section,
        Func<TOptions, IEnumerable<string>> rules)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(new RuleValidator<TOptions>(rules));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }

    /// <summary>
    /// As above, for rules that depend on the environment the process runs in (e.g. refusing a
    /// resource name that belongs to another environment).
    /// </summary>
    public static OptionsBuilder<TOptions> AddValidatedOptions<TOptions>(
        this IServiceCollection services,
        Microsoft.Extensions.Configuration.IConfiguration configuration,
        string section,
        Func<TOptions, ServerlessEnvironmentOptions, IEnumerable<string>> rules)
        where TOptions : class
    {
        services.AddSingleton<IValidateOptions<TOptions>>(provider => new RuleValidator<TOptions>(
            options => rules(options, provider.GetRequiredService<IOptions<ServerlessEnvironmentOptions>>().Value)));
        return services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
    }
}
