import java.util.Arrays;

public class MaxSubarray {
    /** Largest sum of a non-empty contiguous run (Kadane's algorithm). */
    static int maxSubarraySum(int[] values) {
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
    }

    public static void main(String[] args) {
        int[][] inputs = {{-2, 1, -3, 4, -1, 2, 1, -5, 4}, {-3, -1, -2}, {5}};
        for (int[] values : inputs) {
            System.out.println(Arrays.toString(values) + " -> " + maxSubarraySum(values));
        }
    }
}
