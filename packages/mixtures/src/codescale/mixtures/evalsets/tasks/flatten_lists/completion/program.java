import java.util.ArrayList;
import java.util.List;

public class FlattenLists {
    /** All non-list items of an arbitrarily nested list, left to right. */
    static List<Integer> flatten(List<?> nested) {
// codescale: completion
        List<Integer> flat = new ArrayList<>();
        for (Object item : nested) {
            if (item instanceof List<?> inner) {
                flat.addAll(flatten(inner));
            } else {
                flat.add((Integer) item);
            }
        }
        return flat;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        List<Object> nested = List.of(1, List.of(2, 3), List.of(), List.of(4, List.of(5, List.of(6))), 7);
        check(flatten(nested).equals(List.of(1, 2, 3, 4, 5, 6, 7)), "nested");
        check(flatten(List.of()).isEmpty(), "empty");
        check(flatten(List.of(List.of(List.of()))).isEmpty(), "only lists");
    }
}
