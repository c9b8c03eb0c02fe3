import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

public class TwoSum {
    /**
     * Indices {i, j}, i < j, with numbers[i] + numbers[j] == target (the first such j, then its partner), found in one
     * pass with a hash map; empty when no pair adds up.
     */
    static Optional<int[]> twoSum(int[] numbers, int target) {
// codescale: completion
        Map<Integer, Integer> seen = new HashMap<>();
        for (int i = 0; i < numbers.length; i++) {
            Integer partner = seen.get(target - numbers[i]);
            if (partner != null) {
                return Optional.of(new int[] {partner, i});
            }
            seen.put(numbers[i], i);
        }
        return Optional.empty();
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static boolean pair(Optional<int[]> found, int i, int j) {
        return found.isPresent() && found.get()[0] == i && found.get()[1] == j;
    }

    public static void main(String[] args) {
        check(pair(twoSum(new int[] {2, 7, 11, 15}, 9), 0, 1), "9");
        check(pair(twoSum(new int[] {3, 2, 4}, 6), 1, 2), "6");
        check(twoSum(new int[] {1, 2, 3}, 7).isEmpty(), "none");
        check(pair(twoSum(new int[] {3, 3}, 6), 0, 1), "equal numbers");
    }
}
