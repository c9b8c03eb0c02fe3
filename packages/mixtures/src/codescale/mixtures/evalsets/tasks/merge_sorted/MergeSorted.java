import java.util.Arrays;
import java.util.stream.Collectors;

public class MergeSorted {
    /** Merge two ascending arrays into one ascending array. */
    static int[] merge(int[] left, int[] right) {
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
    }

    private static String spaced(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    public static void main(String[] args) {
        System.out.println(spaced(merge(new int[] {1, 4, 7, 10}, new int[] {2, 3, 8, 12, 15})));
        System.out.println(spaced(merge(new int[] {}, new int[] {5, 6})));
    }
}
