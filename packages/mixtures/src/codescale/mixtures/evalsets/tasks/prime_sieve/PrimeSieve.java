import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

public class PrimeSieve {
    /** Sieve of Eratosthenes: every prime p with 2 <= p <= limit. */
    static List<Integer> primesUpTo(int limit) {
        List<Integer> primes = new ArrayList<>();
        if (limit < 2) {
            return primes;
        }
        boolean[] composite = new boolean[limit + 1];
        for (int p = 2; p <= limit; p++) {
            if (composite[p]) {
                continue;
            }
            primes.add(p);
            for (long multiple = (long) p * p; multiple <= limit; multiple += p) {
                composite[(int) multiple] = true;
            }
        }
        return primes;
    }

    public static void main(String[] args) {
        System.out.println(primesUpTo(50).stream().map(String::valueOf).collect(Collectors.joining(" ")));
        System.out.println("primes below 1000: " + primesUpTo(999).size());
    }
}
