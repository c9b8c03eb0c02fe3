import java.util.HashMap;
import java.util.Map;

public class FibonacciMemo {
    private final Map<Integer, Long> memo = new HashMap<>(Map.of(0, 0L, 1, 1L));

    /** The n-th Fibonacci number, remembering every value already computed. */
    long fibonacci(int n) {
        Long known = memo.get(n);
        if (known != null) {
            return known;
        }
        long value = fibonacci(n - 1) + fibonacci(n - 2);
        memo.put(n, value);
        return value;
    }

    public static void main(String[] args) {
        FibonacciMemo fib = new FibonacciMemo();
        for (int n : new int[] {10, 30, 50}) {
            System.out.println("fib(" + n + ") = " + fib.fibonacci(n));
        }
    }
}
