// A check that did not hold: the test programs print its message after "FAIL " and exit 1.
final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
        super(message);
    }
}
