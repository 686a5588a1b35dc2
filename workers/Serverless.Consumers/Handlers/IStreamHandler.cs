namespace Serverless.Consumers.Handlers;

/// <summary>
/// A handler of the stream-consumer catalog, named as the catalog names it (<c>StreamHandlers</c>), that
/// registers itself and what it needs: the consumer host finds every such class and runs the one its
/// <c>Consumer:Handler</c> names, so a new handler is its class alone (CONTRIBUTING.md).
/// </summary>
public interface IStreamHandler
{
    static abstract string HandlerName { get; }

    /// <summary>Registers the handler as the process's <see cref="IConsumerHandler"/>, for consumer group <paramref name="group"/>.</summary>
    static abstract void Register(IServiceCollection services, IConfiguration configuration, string group);
}
