using Serverless.Functions.SelfHost;
using Serverless.Platform.Hosting;

return SelfHostApplication.Build(args).RunServerless();

// Entry point type, visible to tests.
public partial class Program;
