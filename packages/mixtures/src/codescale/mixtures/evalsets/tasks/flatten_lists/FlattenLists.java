import java.util.ArrayList;
import java.util.List;

public class FlattenLists {
    /** All non-list items of an arbitrarily nested list, left to right. */
    static List<Integer> flatten(List<?> nested) {
        List<Integer> flat = new ArrayList<>();
        for (Object item : nested) {
            if (item instanceof List<?> inner) {
                flat.addAll(flatten(inner));
            } else {
                flat.add((Integer) item);
            }
        }
        return flat;
    }

    public static void main(String[] args) {
        List<Object> nested = List.of(1, List.of(2, 3), List.of(), List.of(4, List.of(5, List.of(6))), 7);
        System.out.println(flatten(nested));
    }
}
