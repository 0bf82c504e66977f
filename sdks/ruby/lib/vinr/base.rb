# frozen_string_literal: true

require "uri"

module Vinr
  module Resources
    # What the generated resource classes are built from: a client, and one call per method.
    class Base
      def initialize(client)
        @client = client
      end

      private

      def split(params, opts)
        merged = HttpClient.snake_keys(params.to_h).merge(HttpClient.snake_keys(opts))
        options = HttpClient::REQUEST_OPTIONS.each_with_object({}) do |k, out|
          out[k] = merged.delete(k) if merged.key?(k)
        end
        [merged, options]
      end

      def request(method, path, params, opts)
        body, options = split(params, opts)
        @client.request(method, path, body, options)
      end

      def list_request(path, params, opts)
        query, options = split(params, opts)
        fetch = lambda do |q|
          page = @client.request("GET", path, q, options)
          raise Vinr.error_from_response(nil, 502, nil) unless page.is_a?(ListObject)

          page.fetcher = fetch
          page.params = q
          page
        end
        fetch.call(query)
      end

      def path_id(id)
        URI.encode_www_form_component(id.to_s).gsub("+", "%20")
      end
    end
  end

  # The module style's classes (+Vinr::Payment+): each method call goes to the client that the
  # module settings (+Vinr.api_key+, …) describe.
  class ModuleResource
    def self.method_missing(name, *args, **kwargs, &block)
      resource = self::RESOURCE.new(Vinr.default_client.http)
      return super unless resource.respond_to?(name)

      resource.public_send(name, *args, **kwargs, &block)
    end

    def self.respond_to_missing?(name, include_private = false)
      self::RESOURCE.public_method_defined?(name) || super
    end
  end
end
