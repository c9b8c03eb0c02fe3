// Compiles many independent Java programs in one JVM (codescale's eval harness runs it in its sandbox).
//
// Usage: java BatchCompile.java LIST [CLASSPATH]   where each line of LIST is "<output dir>\t<source file>".
// Every source is compiled on its own (its classes go to its own output dir, so two programs may both declare
// `class Problem`), with annotation processing off. For line i it prints "OK i" or "FAIL i" on stdout and writes the
// compiler's messages to "<output dir>/javac.log". Starting one JVM instead of one per program is the point.
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

public class BatchCompile {
    public static void main(String[] args) throws Exception {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> lines = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        String classpath = args.length > 1 ? args[1] : "";
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
            for (int i = 0; i < lines.size(); i++) {
                String[] parts = lines.get(i).split("\t", 2);
                StringWriter messages = new StringWriter();
                boolean ok;
                try {
                    List<String> options = new java.util.ArrayList<>(
                            List.of("-d", parts[0], "-proc:none", "-encoding", "UTF-8", "-Xlint:none", "-nowarn"));
                    if (!classpath.isEmpty()) {
                        options.addAll(List.of("-cp", classpath));
                    }
                    ok = compiler.getTask(new PrintWriter(messages), files, null, options, null,
                            files.getJavaFileObjects(parts[1])).call();
                } catch (RuntimeException err) {
                    ok = false;
                    messages.write(err.toString());
                }
                Files.writeString(Path.of(parts[0], "javac.log"), messages.toString(), StandardCharsets.UTF_8);
                System.out.println((ok ? "OK " : "FAIL ") + i);
                System.out.flush();
            }
        }
    }
}
