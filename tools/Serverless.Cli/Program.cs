using Serverless.Cli;

return await ServerlessCommandLine.Build().Parse(args).InvokeAsync();
