using PbDeploy.Templating;
using static PbDeploy.Tests.Templating.TestManifest;

namespace PbDeploy.Tests.Templating;

public class TemplateLanguageTests
{
    private static readonly VariableScope Web = Scope("""{ "port": 8000, "start": "serve", "domain": "example.org" }""", """{ "site": { "title": "Home", "admin": { "mail": "a@example.org" } } }""");

    [Fact]
    public void A_plain_reference_is_replaced_by_its_value() =>
        Render("listen {port};", Web).ShouldBe("listen 8000;");

    [Fact]
    public void A_dotted_reference_reads_into_nested_objects() =>
        Render("{site.title} <{site.admin.mail}>", Web).ShouldBe("Home <a@example.org>");

    [Fact]
    public void Text_without_braces_is_returned_as_it_is() =>
        Render("no braces here\r\n", Web).ShouldBe("no braces here\r\n");

    [Theory]
    [InlineData("{{", "{")]
    [InlineData("}}", "}")]
    [InlineData("{{port}}", "{port}")]
    [InlineData("{{{port}}}", "{8000}")]
    [InlineData("${{HOME}}", "${HOME}")]
    public void Doubled_braces_are_one_literal_brace(string text, string expected) =>
        Render(text, Web).ShouldBe(expected);

    [Theory]
    [InlineData("{}")]
    [InlineData("{ }")]
    [InlineData("{1,2}")]
    [InlineData("{a b}")]
    [InlineData("{port }")]
    [InlineData("{ port}")]
    [InlineData("}")]
    [InlineData("{")]
    [InlineData("a } b { c")]
    [InlineData("{port")]
    [InlineData("{port.}")]
    [InlineData("{.port}")]
    [InlineData("{9port}")]
    [InlineData("awk '{print $1}'")]
    [InlineData("[0-9]{3,}")]
    public void Any_other_brace_is_literal(string text) =>
        Render(text, Web).ShouldBe(text);

    [Fact]
    public void An_nginx_config_renders_unchanged_except_its_references()
    {
        const string config = """
            events { worker_connections 512; }
            http {
                server {
                    listen {port};
                    server_name {domain} www.{domain};
                    location ~ \.(css|js)$ { expires 1d; }
                    location / { try_files $uri $uri/ =404; }
                }
            }

            """;

        Render(config, Web).ShouldBe(config.Replace("{port}", "8000").Replace("{domain}", "example.org"));
    }

    [Fact]
    public void A_shell_parameter_expansion_in_braces_is_a_reference()
    {
        var error = Should.Throw<TemplateException>(() => Render("echo ${HOME}", Web));
        error.Problem.ShouldStartWith("unknown variable 'HOME'");
    }

    [Fact]
    public void A_value_containing_braces_is_not_rendered_again() =>
        Render("{start}", Scope("""{ "start": "serve {port}", "port": 1 }""")).ShouldBe("serve {port}");

    [Fact]
    public void An_unknown_reference_is_located_by_line_and_column_in_a_multi_line_file()
    {
        var text = "server {\n    listen {port};\r\n    server_name {domian};\n}\n";

        var error = Should.Throw<TemplateException>(() => Template.Render(text, new SourceLocation("/srv/site/nginx.conf.template", 1, 1), Web));

        error.Location.ShouldBe(new SourceLocation("/srv/site/nginx.conf.template", 3, 17));
        error.Message.ShouldStartWith("/srv/site/nginx.conf.template:3:17: unknown variable 'domian'");
    }

    [Fact]
    public void An_unknown_reference_on_the_first_line_is_located_from_the_origin_column()
    {
        var error = Should.Throw<TemplateException>(() => Template.Render("run {nope}", new SourceLocation("pbdeploy.json", 4, 17), Web));
        error.Location.ShouldBe(new SourceLocation("pbdeploy.json", 4, 21));
    }

    [Fact]
    public void An_unknown_reference_suggests_the_closest_name_and_lists_the_variables()
    {
        var error = Should.Throw<TemplateException>(() => Render("{domian}", Web));

        error.Problem.ShouldBe(
            "unknown variable 'domian'; did you mean 'domain'? Variables: domain, name, pid, pids, port, project_dir, site, start, env.*, services.*");
    }

    [Fact]
    public void An_unknown_reference_far_from_every_name_suggests_nothing()
    {
        var error = Should.Throw<TemplateException>(() => Render("{completely_different}", Web));
        error.Problem.ShouldNotContain("did you mean");
        error.Problem.ShouldContain("Variables: ");
    }

    [Fact]
    public void An_unknown_key_of_a_nested_object_names_the_object_and_its_keys()
    {
        var error = Should.Throw<TemplateException>(() => Render("{site.titel}", Web));
        error.Problem.ShouldBe("'site' has no key 'titel'; did you mean 'title'? Its keys: admin, title");
    }

    [Fact]
    public void Referencing_an_object_itself_asks_for_a_key()
    {
        var error = Should.Throw<TemplateException>(() => Render("{site.admin}", Web));
        error.Problem.ShouldBe("'site.admin' is an object; pick a key: {site.admin.mail}");
    }

    [Fact]
    public void Reading_a_key_of_a_string_is_an_error()
    {
        var error = Should.Throw<TemplateException>(() => Render("{domain.tld}", Web));
        error.Problem.ShouldBe("'domain' is a string; it has no key 'tld'");
    }

    [Fact]
    public void A_reference_may_contain_dashes_and_underscores() =>
        Render("{my-key}/{_x}", Scope("""{ "my-key": "a", "_x": "b" }""")).ShouldBe("a/b");

    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("", "''")]
    [InlineData("a b", "'a b'")]
    [InlineData("a; touch pwned", "'a; touch pwned'")]
    [InlineData("$(touch pwned)", "'$(touch pwned)'")]
    [InlineData("it's \"quoted\"", "'it'\\''s \"quoted\"'")]
    [InlineData("line\nbreak", "'line\nbreak'")]
    public void A_q_reference_inserts_the_value_in_single_quotes_with_each_quote_closed_escaped_and_reopened(string value, string expected) =>
        Render("echo {x:q}", Scope("{ \"x\": " + System.Text.Json.JsonSerializer.Serialize(value) + " }")).ShouldBe("echo " + expected);

    [Fact]
    public void A_q_reference_works_on_every_kind_of_name() =>
        Render("{port:q} {site.admin.mail:q} {name:q}", Web).ShouldBe("'8000' 'a@example.org' 'web'");

    [Theory]
    [InlineData("{port:x}", "x")]
    [InlineData("{port:ds}", "ds")]
    [InlineData("{site.title:Q}", "Q")]
    [InlineData("{port:qq}", "qq")]
    public void Any_other_format_is_an_error_naming_the_format_and_where_it_is(string text, string spec)
    {
        var error = Should.Throw<TemplateException>(() => Template.Render("run " + text, new SourceLocation("pbdeploy.json", 4, 17), Web));

        error.Location.ShouldBe(new SourceLocation("pbdeploy.json", 4, 21));
        error.Problem.ShouldBe($"unknown format ':{spec}' in {text}; the formats are ':q', the value quoted for the shell, as in {text[..text.IndexOf(':')]}:q}}, and Python's ':d' (an integer) and ':s' (text)");
    }

    [Theory]
    [InlineData("listen {port:d};", "listen 8000;")]
    [InlineData("server_name {domain:s};", "server_name example.org;")]
    [InlineData("{site.title:s} {port:s}", "Home 8000")]
    [InlineData("{{port:d}}", "{port:d}")]
    public void Pythons_d_and_s_formats_insert_the_value_as_it_is(string text, string expected) =>
        Render(text, Web).ShouldBe(expected);

    [Theory]
    [InlineData("-5")]
    [InlineData("+12")]
    [InlineData("0")]
    public void A_d_reference_takes_a_signed_integer_given_as_text(string value) =>
        Render("{x:d}", Scope("{ \"x\": \"" + value + "\" }")).ShouldBe(value);

    [Theory]
    [InlineData("{domain:d}", "domain", "example.org")]
    [InlineData("{site.title:d}", "site.title", "Home")]
    public void A_d_reference_to_a_value_that_is_not_an_integer_is_an_error_at_its_place(string text, string name, string value)
    {
        var error = Should.Throw<TemplateException>(() => Template.Render("run " + text, new SourceLocation("pbdeploy.json", 4, 17), Web));

        error.Location.ShouldBe(new SourceLocation("pbdeploy.json", 4, 21));
        error.Problem.ShouldBe($"{text} needs an integer, and '{name}' is \"{value}\"; give it an integer value, or write {{{name}}} for the text as it is");
    }

    [Fact]
    public void A_q_reference_to_an_unknown_name_is_the_unknown_name_error() =>
        Should.Throw<TemplateException>(() => Render("{domian:q}", Web)).Problem.ShouldStartWith("unknown variable 'domian'");

    [Theory]
    [InlineData("{a: b}")]
    [InlineData("{port:}")]
    [InlineData("{port: q}")]
    [InlineData("{port:q }")]
    [InlineData("{:q}")]
    [InlineData("{{port:q}}")]
    [InlineData("map { a:b c }")]
    [InlineData("${port:-unset}")]
    [InlineData("${port:=8000}")]
    [InlineData("${port:+set}")]
    [InlineData("${port:?not set}")]
    [InlineData("${port:2}")]
    [InlineData("${port:1:2}")]
    [InlineData("{port:>10}")]
    public void A_colon_not_followed_by_letters_and_a_closing_brace_leaves_the_brace_literal_as_in_shell_expansions(string text) =>
        Render(text, Web).ShouldBe(text.Replace("{{", "{", StringComparison.Ordinal).Replace("}}", "}", StringComparison.Ordinal));
}
