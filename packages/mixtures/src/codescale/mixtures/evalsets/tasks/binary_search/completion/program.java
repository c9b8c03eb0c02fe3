public class BinarySearch {
    /** Index of target in the ascending array items, or -1 when it is absent. */
    static int binarySearch(int[] items, int target) {
// codescale: completion
        int low = 0;
        int high = items.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (items[mid] == target) {
                return mid;
            }
            if (items[mid] < target) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return -1;
// codescale: tests
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    public static void main(String[] args) {
        int[] primes = {2, 3, 5, 7, 11, 13, 17, 19, 23};
        check(binarySearch(primes, 7) == 3, "7");
        check(binarySearch(primes, 2) == 0, "2");
        check(binarySearch(primes, 23) == 8, "23");
        check(binarySearch(primes, 4) == -1, "4");
        check(binarySearch(new int[0], 1) == -1, "empty");
    }
}
