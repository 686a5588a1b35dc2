using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Serverless.Platform.Configuration;

namespace Serverless.Platform.Environments;

public static class EnvironmentRuleValidation
{
    /// <summary>
    /// <see cref="RuleValidation.ValidateRules{TOptions}(OptionsBuilder{TOptions}, Func{TOptions, IEnumerable{string}})"/>
    /// for rules that depend on the environment the process runs in (e.g. refusing a resource name
    /// that belongs to another environment).
    /// </summary>
    public static OptionsBuilder<TOptions> ValidateRules<TOptions>(
        this OptionsBuilder<TOptions> options, Func<TOptions, ServerlessEnvironmentOptions, IEnumerable<string>> rules)
        where TOptions : class
    {
        options.Services.AddSingleton<IValidateOptions<TOptions>>(provider => new RuleValidator<TOptions>(
            value => rules(value, provider.GetRequiredService<IOptions<ServerlessEnvironmentOptions>>().Value)));
        return options.ValidateOnStart();
    }
}
