import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class WordFrequency {
    /**
     * The k most frequent words of text (split on whitespace, lower-cased) with their counts, most frequent first,
     * ties broken alphabetically.
     */
    static List<Map.Entry<String, Integer>> topWords(String text, int k) {
// codescale: completion
        Map<String, Integer> counts = new HashMap<>();
        for (String word : text.toLowerCase().split("\\s+")) {
            counts.merge(word, 1, Integer::sum);
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        return entries.subList(0, Math.min(k, entries.size()));
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static String render(List<Map.Entry<String, Integer>> entries) {
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Integer> entry : entries) {
            text.append(entry.getKey()).append('=').append(entry.getValue()).append(' ');
        }
        return text.toString().trim();
    }

    public static void main(String[] args) {
        String text = "The quick brown fox jumps over the lazy dog the fox saw the end";
        check(render(topWords(text, 3)).equals("the=4 fox=2 brown=1"), "sentence");
        check(render(topWords("b a c a b a", 2)).equals("a=3 b=2"), "ties");
        check(render(topWords("one", 5)).equals("one=1"), "k larger than the vocabulary");
    }
}
