import java.util.Arrays;

public class MergeSorted {
    /** Merge two ascending arrays into one ascending array holding every element of both. */
    static int[] merge(int[] left, int[] right) {
// codescale: completion
        int[] merged = new int[left.length + right.length];
        int i = 0, j = 0, k = 0;
        while (i < left.length && j < right.length) {
            merged[k++] = left[i] <= right[j] ? left[i++] : right[j++];
        }
        while (i < left.length) {
            merged[k++] = left[i++];
        }
        while (j < right.length) {
            merged[k++] = right[j++];
        }
        return merged;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        check(Arrays.equals(merge(new int[] {1, 4, 7, 10}, new int[] {2, 3, 8, 12, 15}), new int[] {1, 2, 3, 4, 7, 8, 10, 12, 15}), "two lists");
        check(Arrays.equals(merge(new int[] {}, new int[] {5, 6}), new int[] {5, 6}), "left empty");
        check(Arrays.equals(merge(new int[] {1, 1}, new int[] {1}), new int[] {1, 1, 1}), "equal elements");
        check(merge(new int[] {}, new int[] {}).length == 0, "both empty");
    }
}
