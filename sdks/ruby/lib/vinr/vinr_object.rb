# frozen_string_literal: true

module Vinr
  # An API object: a Hash of the API's snake_case properties (string keys) that also answers
  # to them as methods (+payment.checkout_url+) and to symbol keys (+payment[:status]+).
  class VinrObject < Hash
    def self.from(value)
      case value
      when Array then value.map { |v| from(v) }
      when Hash
        object = (value["object"] == "list" ? ListObject : VinrObject).new
        value.each { |k, v| object[k.to_s] = from(v) }
        object
      else value
      end
    end

    def [](key)
      super(key.to_s)
    end

    def key?(key)
      super(key.to_s)
    end

    def method_missing(name, *args)
      key = name.to_s
      return super unless args.empty?
      return self[key] if key?(key)
      # An event's +data+ answers for its object (+event.data.customer+), as the guides read
      # it; only event data holds an object under "object" (every API object's "object" is its
      # type's name).
      return self["object"].public_send(name) if self["object"].is_a?(VinrObject) && self["object"].respond_to?(name)

      super
    end

    def respond_to_missing?(name, include_private = false)
      key?(name.to_s) || (self["object"].is_a?(VinrObject) && self["object"].respond_to?(name)) || super
    end
  end

  # A page of a list (+data+, +has_more+). +each+ gives this page's objects;
  # +auto_paging_each+ every object, fetching the following pages as it goes.
  class ListObject < VinrObject
    include Enumerable
    attr_accessor :fetcher, :params

    def each(&block)
      return enum_for(:each) unless block

      (self["data"] || []).each(&block)
      self
    end

    def auto_paging_each(&block)
      return enum_for(:auto_paging_each) unless block

      page = self
      query = (params || {}).dup
      loop do
        data = page["data"] || []
        data.each(&block)
        break if !page["has_more"] || data.empty? || page.fetcher.nil?

        # Backwards when the caller started with ending_before, else forwards.
        if query.key?("ending_before")
          query["ending_before"] = data.first["id"]
        else
          query["starting_after"] = data.last["id"]
        end
        page = page.fetcher.call(query.dup)
      end
      self
    end
  end
end
