public class MaxSubarray {
    /**
     * Largest sum of a non-empty contiguous run of values (Kadane's algorithm); IllegalArgumentException when values
     * is empty.
     */
    static int maxSubarraySum(int[] values) {
// codescale: completion
        if (values.length == 0) {
            throw new IllegalArgumentException("maxSubarraySum needs at least one value");
        }
        int best = values[0];
        int current = values[0];
        for (int i = 1; i < values.length; i++) {
            current = Math.max(values[i], current + values[i]);
            best = Math.max(best, current);
        }
        return best;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(maxSubarraySum(new int[] {-2, 1, -3, 4, -1, 2, 1, -5, 4}) == 6, "mixed");
        check(maxSubarraySum(new int[] {-3, -1, -2}) == -1, "all negative");
        check(maxSubarraySum(new int[] {5}) == 5, "one");
        check(maxSubarraySum(new int[] {2, -1, 2}) == 3, "dip");
        boolean refused = false;
        try {
            maxSubarraySum(new int[0]);
        } catch (IllegalArgumentException expected) {
            refused = true;
        }
        check(refused, "empty must throw");
    }
}
