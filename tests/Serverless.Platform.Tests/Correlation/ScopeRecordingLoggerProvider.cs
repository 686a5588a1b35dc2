using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Serverless.Platform.Tests.Correlation;

/// <summary>Records each log line with the scopes active when it was written.</summary>
internal sealed class ScopeRecordingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public ConcurrentBag<(string Message, List<IReadOnlyDictionary<string, object?>> Scopes)> Lines { get; } = [];

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Recorder(ScopeRecordingLoggerProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => provider.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var active = new List<IReadOnlyDictionary<string, object?>>();
            provider.scopes.ForEachScope(
                (scope, list) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object>> pairs)
                    {
                        list.Add(pairs.ToDictionary(p => p.Key, p => (object?)p.Value));
                    }
                },
                active);
            provider.Lines.Add((formatter(state, exception), active));
        }
    }
}
