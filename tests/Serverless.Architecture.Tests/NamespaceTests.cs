using System.Text.RegularExpressions;

namespace Serverless.Architecture.Tests;

/// <summary>Namespaces of the production code form no cycle: each part can be read, moved or split on its own.</summary>
public sealed partial class NamespaceTests
{
    [GeneratedRegex(@"^namespace (Serverless[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"^using (?:static )?(Serverless[\w.]*);", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    /// <summary>Which namespaces each namespace's files import (a static import names a type: its namespace is used).</summary>
    public static Dictionary<string, HashSet<string>> Imports(IEnumerable<(string Path, string Text)> files)
    {
        var declared = new List<(string Namespace, string[] Usings)>();
        foreach (var (_, text) in files)
        {
            if (NamespaceDeclaration().Match(text) is { Success: true } declaration)
            {
                declared.Add((declaration.Groups[1].Value, UsingDirective().Matches(text).Select(m => m.Groups[1].Value).ToArray()));
            }
        }

        var namespaces = declared.Select(d => d.Namespace).ToHashSet(StringComparer.Ordinal);
        var graph = namespaces.ToDictionary(n => n, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var (name, usings) in declared)
        {
            foreach (var used in usings.Select(u => namespaces.Contains(u) ? u : u[..Math.Max(0, u.LastIndexOf('.'))]).Where(u => u != name && namespaces.Contains(u)))
            {
                graph[name].Add(used);
            }
        }

        return graph;
    }

    /// <summary>Strongly connected components with more than one namespace (Tarjan).</summary>
    public static List<List<string>> Cycles(IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var cycles = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            foreach (var next in graph[node])
            {
                if (!index.TryGetValue(next, out var visited))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (stack.Contains(next))
                {
                    low[node] = Math.Min(low[node], visited);
                }
            }

            if (low[node] == index[node])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    component.Add(member);
                }
                while (member != node);

                if (component.Count > 1)
                {
                    cycles.Add([.. component.Order(StringComparer.Ordinal)]);
                }
            }
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal).Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return cycles;
    }

    [Fact]
    public void ProductionNamespaces_FormNoCycle()
    {
        var files = ProjectGraph.Production.Projects.Values.SelectMany(ProjectGraph.SourceFiles).Select(path => (path, File.ReadAllText(path)));

        var cycles = Cycles(Imports(files));

        Assert.True(cycles.Count == 0, "namespace cycles: " + string.Join("; ", cycles.Select(c => string.Join(" <-> ", c))));
    }

    [Fact]
    public void Cycles_TwoNamespacesImportingEachOther_AreFound()
    {
        (string, string)[] files =
        [
            ("a.cs", "using Serverless.B;\n\nnamespace Serverless.A;\n"),
            ("b.cs", "using static Serverless.A.Helper;\n\nnamespace Serverless.B;\n"),
            ("c.cs", "using Serverless.A;\n\nnamespace Serverless.C;\n"),
        ];

        var cycles = Cycles(Imports(files));

        Assert.Equal(["Serverless.A", "Serverless.B"], Assert.Single(cycles));
    }
}
