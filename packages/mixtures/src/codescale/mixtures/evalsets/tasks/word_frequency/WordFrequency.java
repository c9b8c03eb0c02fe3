import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

public class WordFrequency {
    /** The k most frequent words of text (lower-cased), ties broken alphabetically. */
    static List<Map.Entry<String, Integer>> topWords(String text, int k) {
        Map<String, Integer> counts = new HashMap<>();
        for (String word : text.toLowerCase().split("\\s+")) {
            counts.merge(word, 1, Integer::sum);
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
        entries.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()));
        return entries.subList(0, Math.min(k, entries.size()));
    }

    public static void main(String[] args) {
        String text = "The quick brown fox jumps over the lazy dog the fox saw the end";
        for (Map.Entry<String, Integer> entry : topWords(text, 3)) {
            System.out.println(entry.getKey() + ": " + entry.getValue());
        }
    }
}
