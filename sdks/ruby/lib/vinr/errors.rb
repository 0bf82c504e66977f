# frozen_string_literal: true

module Vinr
  # Any error the SDK raises for a request: the contract's +type+, +code+, +param+,
  # +decline_code+, the HTTP status and the server's request id.
  class VinrError < StandardError
    attr_reader :type, :code, :param, :decline_code, :http_status, :request_id, :json_body

    def initialize(message = nil, type: "api_error", code: nil, param: nil, decline_code: nil,
                   http_status: nil, request_id: nil, json_body: nil)
      super(message || type)
      @type = type
      @code = code
      @param = param
      @decline_code = decline_code
      @http_status = http_status
      @request_id = request_id
      @json_body = json_body || {}
    end
  end

  # A card was declined (402); +payment+ is the failed payment.
  class CardError < VinrError
    def payment
      json_body["payment"]
    end
  end

  class InvalidRequestError < VinrError; end
  class AuthenticationError < VinrError; end
  class PermissionError < VinrError; end
  class IdempotencyError < VinrError; end
  class RateLimitError < VinrError; end
  class APIError < VinrError; end
  # The server could not be reached, or did not answer in time (after the retries).
  class APIConnectionError < VinrError; end

  # A webhook delivery was refused; +code+ says why: +bad_secret+, +missing_headers+,
  # +malformed+, +timestamp+ or +mismatch+.
  class SignatureVerificationError < VinrError
    def initialize(code, message)
      super(message, type: "signature_verification_error", code: code)
    end
  end

  ERRORS_BY_TYPE = {
    "card_error" => CardError,
    "invalid_request_error" => InvalidRequestError,
    "authentication_error" => AuthenticationError,
    "permission_error" => PermissionError,
    "idempotency_error" => IdempotencyError,
    "rate_limit_error" => RateLimitError,
    "api_error" => APIError,
  }.freeze

  # The error for an API answer {"error": {...}} with +status+.
  def self.error_from_response(body, status, request_id)
    raw = body.is_a?(Hash) ? body["error"] : nil
    unless raw.is_a?(Hash)
      raw = { "type" => status >= 500 ? "api_error" : "invalid_request_error", "message" => "HTTP #{status}" }
    end
    klass = ERRORS_BY_TYPE.fetch(raw["type"].to_s, APIError)
    klass.new(raw["message"], type: raw["type"] || "api_error", code: raw["code"], param: raw["param"],
                              decline_code: raw["decline_code"], http_status: status,
                              request_id: request_id, json_body: raw)
  end
end
