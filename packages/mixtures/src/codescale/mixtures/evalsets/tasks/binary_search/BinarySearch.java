public class BinarySearch {
    /** Index of target in the ascending array items, or -1. */
    static int binarySearch(int[] items, int target) {
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
    }

    public static void main(String[] args) {
        int[] primes = {2, 3, 5, 7, 11, 13, 17, 19, 23};
        for (int target : new int[] {7, 2, 23, 4}) {
            System.out.println(target + " -> " + binarySearch(primes, target));
        }
    }
}
